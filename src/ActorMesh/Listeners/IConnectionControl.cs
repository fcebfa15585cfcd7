namespace ActorMesh.Listeners;

/// <summary>What a connection's owner can ask of its running stream from outside it.</summary>
public interface IConnectionControl
{
    /// <summary>Finish the request in flight (answering it with <c>connection: close</c>), then close; close now if idle.</summary>
    void Drain();

    /// <summary>
    /// As <see cref="Drain()"/>, but an idle connection stays open up to <paramref name="idleGrace"/> for a request
    /// already on its way, which is answered with <c>connection: close</c>.
    /// </summary>
    void Drain(TimeSpan idleGrace) => Drain();
}
