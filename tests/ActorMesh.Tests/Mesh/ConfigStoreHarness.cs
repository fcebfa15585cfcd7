using ActorMesh.Mesh;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Akka.TestKit.Xunit2;

namespace ActorMesh.Tests.Mesh;

/// <summary>
/// A real ActorSystem running a ConfigStoreActor on a real journal, with a probe as its publisher. <see cref="RestartAsync"/>
/// terminates the system and starts a new one on the same storage, as a node restart would.
/// </summary>
internal sealed class ConfigStoreHarness : IAsyncDisposable
{
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(20);

    private readonly Akka.Configuration.Config _config;
    private readonly ConfigStoreSettings? _settings;
    private readonly TimeProvider? _clock;

    private ConfigStoreHarness(Akka.Configuration.Config config, ConfigStoreSettings? settings, TimeProvider? clock)
    {
        _config = ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.stdout-loglevel = WARNING
            """).WithFallback(config);
        _settings = settings;
        _clock = clock;
        Start();
    }

    public ActorSystem System { get; private set; } = null!;

    public IActorRef Store { get; private set; } = ActorRefs.Nobody;

    public TestProbe Published { get; private set; } = null!;

    public static ConfigStoreHarness Start(Akka.Configuration.Config config, ConfigStoreSettings? settings = null, TimeProvider? clock = null) =>
        new(config, settings, clock);

    public Task<T> Ask<T>(object message) => Store.Ask<T>(message, AskTimeout);

    public async Task RestartAsync()
    {
        await System.Terminate();
        Start();
    }

    public async ValueTask DisposeAsync() => await System.Terminate();

    private void Start()
    {
        System = ActorSystem.Create("config-store-test", _config);
        Published = new TestProbe(System, new XunitAssertions());
        Store = System.ActorOf(ConfigStoreActor.Props(Published.Ref, _settings, _clock), "config-store");
    }
}
