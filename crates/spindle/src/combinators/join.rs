//! `join2`, `join3`, `join4`: await a fixed set of futures of different types, concurrently,
//! in the caller's task.
//!
//! Functions rather than a `join!` macro: a function is a type the reader can look up, and two
//! to four futures cover what a fixed list needs (a longer list is usually homogeneous:
//! [`gather`](crate::gather) it). Nothing is spawned, so the futures need not be `Send` or
//! `'static` and run on the awaiting task's worker, like `futures::join!`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// One future of a join: still running, finished with its output, or its output taken.
enum MaybeDone<F: Future> {
    Running(F),
    Done(F::Output),
    Taken,
}

impl<F: Future> MaybeDone<F> {
    /// Polls the future if it is still running; `true` once the output is here.
    fn poll_done(self: Pin<&mut Self>, cx: &mut Context<'_>) -> bool {
        // SAFETY: the `Running` future is structurally pinned: it is never moved, and it is
        // dropped in place when the whole value is replaced below (`Pin::set`), which is what
        // pinning allows. The other variants hold nothing pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let output = match this {
            // SAFETY: as above, `future` stays where it is until it is dropped.
            MaybeDone::Running(future) => match unsafe { Pin::new_unchecked(future) }.poll(cx) {
                Poll::Ready(output) => output,
                Poll::Pending => return false,
            },
            MaybeDone::Done(_) => return true,
            MaybeDone::Taken => panic!("a join future polled after completion"),
        };
        // Overwriting drops the finished future in place.
        *this = MaybeDone::Done(output);
        true
    }

    /// Moves the output out.
    fn take(self: Pin<&mut Self>) -> F::Output {
        // SAFETY: only called once `poll_done` returned `true`: the value is `Done`, which
        // holds no pinned data, so moving it out does not move a pinned future.
        let this = unsafe { self.get_unchecked_mut() };
        match std::mem::replace(this, MaybeDone::Taken) {
            MaybeDone::Done(output) => output,
            _ => unreachable!("take() before the future finished"),
        }
    }
}

macro_rules! join_type {
    ($(#[$doc:meta])* $name:ident, $func:ident, $($f:ident: $F:ident),+) => {
        $(#[$doc])*
        #[must_use = "futures do nothing unless awaited"]
        pub struct $name<$($F: Future),+> {
            $($f: MaybeDone<$F>,)+
        }

        #[doc = concat!("Awaits every future concurrently in the calling task; the outputs \
            come as a tuple in argument order. See [`", stringify!($name), "`].")]
        pub fn $func<$($F: Future),+>($($f: $F),+) -> $name<$($F),+> {
            $name { $($f: MaybeDone::Running($f),)+ }
        }

        impl<$($F: Future),+> Future for $name<$($F),+> {
            type Output = ($($F::Output,)+);

            fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
                // SAFETY: every field is structurally pinned (projected with
                // `Pin::new_unchecked`, never moved); the type has no `Drop` impl and is
                // `Unpin` only when every future is (auto trait).
                let this = unsafe { self.get_unchecked_mut() };
                let mut all_done = true;
                $(
                    // SAFETY: as above.
                    all_done &= unsafe { Pin::new_unchecked(&mut this.$f) }.poll_done(cx);
                )+
                if !all_done {
                    return Poll::Pending;
                }
                // SAFETY: as above.
                Poll::Ready(($(unsafe { Pin::new_unchecked(&mut this.$f) }.take(),)+))
            }
        }

        impl<$($F: Future),+> fmt::Debug for $name<$($F),+> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }
    };
}

join_type!(
    /// The future of [`join2`]: both outputs as a tuple.
    ///
    /// The futures are polled in argument order on each wake-up, in the awaiting task (no
    /// spawn); the join completes when both have. A panic in either unwinds through the
    /// awaiter, and dropping the join drops both futures (cancelling them).
    ///
    /// ```
    /// # #[cfg(feature = "scheduler")] {
    /// use std::time::Duration;
    ///
    /// let (n, s) = spindle::run(spindle::join2(
    ///     async { spindle::sleep(Duration::from_millis(2)).await; 1u8 },
    ///     async { "two" },
    /// ));
    /// assert_eq!((n, s), (1, "two"));
    /// # }
    /// ```
    Join2, join2, a: A, b: B
);

join_type!(
    /// The future of [`join3`]: three outputs as a tuple; see [`Join2`].
    Join3, join3, a: A, b: B, c: C
);

join_type!(
    /// The future of [`join4`]: four outputs as a tuple; see [`Join2`].
    Join4, join4, a: A, b: B, c: C, d: D
);
