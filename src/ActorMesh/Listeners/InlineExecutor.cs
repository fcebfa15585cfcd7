using HoconConfig = Akka.Configuration.Config;
using Akka.Dispatch;

namespace ActorMesh.Listeners;

/// <summary>
/// The data path's executor (hocon: <c>actormesh.data-path-dispatcher</c>): a connection's stage actor runs on the thread
/// that woke it, which for socket completions is the epoll thread itself, as an Envoy worker runs its connections on
/// its event loop. That saves the thread pool hop and the wake-up of a sleeping worker per socket event. Safe only
/// because nothing on the data path blocks (DESIGN.md §2); a run nested too deep, or started where running inline is
/// not wanted, goes to the thread pool instead.
/// </summary>
public sealed class InlineExecutorConfigurator(HoconConfig config, IDispatcherPrerequisites prerequisites)
    : ExecutorServiceConfigurator(config, prerequisites)
{
    public override ExecutorService Produce(string id) => new InlineExecutor(id);

    private sealed class InlineExecutor(string id) : ExecutorService(id)
    {
        // A mailbox that still has messages after its batch schedules itself again from inside its own run: a small
        // bound keeps that recursion off the stack.
        private const int MaxDepth = 4;

        [ThreadStatic]
        private static int t_depth;

        public override void Execute(IRunnable run)
        {
            if (t_depth >= MaxDepth)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static r => RunCounted(r), run, preferLocal: false);
                return;
            }
            RunCounted(run);
        }

        private static void RunCounted(IRunnable run)
        {
            t_depth++;
            try
            {
                run.Run();
            }
            finally
            {
                t_depth--;
            }
        }

        public override void Shutdown()
        {
        }
    }
}
