using ActorMesh.Admin;
using Akka.Actor;
using static ActorMesh.Mesh.ConfigStoreProtocol;

namespace ActorMesh.Mesh;

/// <summary>
/// <see cref="IConfigAuthority"/> through the ConfigStore singleton's proxy, which buffers while the singleton moves.
/// The author names the source and this node (<c>admin@akka.tcp://actormesh@10.0.0.5:4053</c>) for the history.
/// </summary>
public sealed class SingletonConfigAuthority : IConfigAuthority
{
    private readonly IActorRef _proxy;
    private readonly string _node;
    private readonly TimeSpan _timeout;

    public SingletonConfigAuthority(IActorRef proxy, string node, TimeSpan timeout)
    {
        _proxy = proxy;
        _node = node;
        _timeout = timeout;
    }

    public async Task<ConfigAuthorityAnswer> ApplyAsync(string yaml, string author)
    {
        try
        {
            return await _proxy.Ask(new Apply(yaml, $"{author}@{_node}", null), _timeout) switch
            {
                Accepted accepted => new ConfigAuthorityAnswer(accepted.Version, accepted.Created, []),
                Rejected rejected => new ConfigAuthorityAnswer(null, false, rejected.Errors.ToList()),
                var other => new ConfigAuthorityAnswer(null, false, [$"unexpected answer from the config store: {other.GetType().Name}"]),
            };
        }
        catch (AskTimeoutException)
        {
            return new ConfigAuthorityAnswer(null, false, [], TimedOut: true);
        }
    }
}
