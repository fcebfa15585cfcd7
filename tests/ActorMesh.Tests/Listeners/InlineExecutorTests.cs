using ActorMesh.Tests.Support;
using Akka.Actor;
using Akka.Dispatch;
using Xunit;

namespace ActorMesh.Tests.Listeners;

/// <summary>
/// The data path's dispatcher from hocon/actormesh.hocon: a run executes on the calling thread, and a run nested too
/// deep goes to the thread pool instead of growing the stack.
/// </summary>
public sealed class InlineExecutorTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly ActorSystem _system = ActorSystem.Create("inline-executor", ProxyHarness.NodeHocon());

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _system.Terminate();

    private MessageDispatcher DataPath() =>
        _system.Dispatchers.Lookup(_system.Settings.Config.GetString("actormesh.listener.dispatcher"));

    [Fact]
    public void A_run_executes_on_the_thread_that_schedules_it()
    {
        var ranOn = -1;

        DataPath().Schedule(() => ranOn = Environment.CurrentManagedThreadId);

        Assert.Equal(Environment.CurrentManagedThreadId, ranOn);
    }

    [ThreadStatic]
    private static int t_depth;

    [Fact]
    public async Task Runs_nested_past_the_bound_go_to_the_thread_pool()
    {
        var dispatcher = DataPath();
        // How deep each level ran on its thread's stack: 1 for a run that started afresh (from the thread pool).
        var depths = new int[10];
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        void Nest(int level)
        {
            depths[level] = ++t_depth;
            try
            {
                if (level + 1 < depths.Length)
                {
                    dispatcher.Schedule(() => Nest(level + 1));
                }
                else
                {
                    done.SetResult();
                }
            }
            finally
            {
                t_depth--;
            }
        }
        dispatcher.Schedule(() => Nest(0));
        await done.Task.WaitAsync(Wait);

        Assert.Equal([1, 2, 3, 4, 1, 2, 3, 4, 1, 2], depths);
    }

    [Fact]
    public async Task A_connection_stage_answers_through_the_inline_dispatcher()
    {
        await using var upstream = TestUpstream.Answering("inline");
        await using var proxy = await ProxyHarness.StartAsync(ProxyHarness.SimpleConfig(upstream.Port));
        using var client = new HttpClient();

        Assert.Equal("actormesh.data-path-dispatcher", proxy.System.Settings.Config.GetString("actormesh.listener.dispatcher"));
        Assert.Equal("inline", await client.GetStringAsync($"http://127.0.0.1:{proxy.Port("main")}/"));
    }
}
