namespace ActorMesh.Listeners;

/// <summary>What a connection's owner can ask of its running stream from outside it.</summary>
public interface IConnectionControl
{
    /// <summary>Finish the request in flight (answering it with <c>connection: close</c>), then close; close now if idle.</summary>
    void Drain();
}
