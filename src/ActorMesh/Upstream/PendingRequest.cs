namespace ActorMesh.Upstream;

/// <summary>How a pending request ended, as its owner learns from <see cref="PendingRequest.Take"/>.</summary>
public enum PendingOutcome
{
    /// <summary>A connection was handed over: the request is leased on it.</summary>
    Ready,

    /// <summary><c>max_requests</c> was full when a connection came to it (503 <c>UO</c>, as Envoy's attach).</summary>
    Overflow,

    /// <summary>A connection of the pool failed to connect, and Envoy purges the pool's pending requests (<c>UF</c>).</summary>
    ConnectionFailure,

    /// <summary>The host left the cluster while the request waited.</summary>
    HostRemoved,

    /// <summary>Nothing to take: the owner cancelled, or took it already.</summary>
    Cancelled,
}

/// <summary>
/// A request waiting in a host's <see cref="ConnectionPool"/> for a connection (Envoy's PendingStream). The pool
/// completes it at most once, with a connection or a failure, and then calls its owner's callback (a stage's async
/// callback, so from any thread); the owner takes the outcome on its own thread. Its one slot changes hands by
/// interlocked exchange, so a connection handed over just as the owner cancels is never lost: whoever comes second
/// finds it and gives it back to the pool.
/// </summary>
public sealed class PendingRequest
{
    private static readonly object CancelledMark = new();
    private static readonly object TakenMark = new();
    private static readonly object[] Failures =
        [PendingOutcome.Overflow, PendingOutcome.ConnectionFailure, PendingOutcome.HostRemoved];

    private readonly ConnectionPool _pool;

    // Dropped on cancel: a cancelled request may sit in the queue a while and must not keep its stage alive.
    private Action<PendingRequest>? _onReady;

    // Null while waiting; then the connection handed over, a boxed failure or the cancelled mark; the taken mark once
    // the owner has it.
    private object? _slot;

    internal PendingRequest(ConnectionPool pool, Action<PendingRequest> onReady)
    {
        _pool = pool;
        _onReady = onReady;
    }

    public UpstreamHost Host => _pool.Host;

    internal bool IsWaiting => Volatile.Read(ref _slot) is null;

    /// <summary>The pool hands over a connection leased to this request; false when the owner cancelled first.</summary>
    internal bool TryServe(UpstreamConnection connection) => TryComplete(connection);

    internal bool TryFail(PendingOutcome failure) => TryComplete(Failures[(int)failure - (int)PendingOutcome.Overflow]);

    /// <summary>
    /// On the owner's thread, after its callback: the connection (now counted as the request's lease) or why there is
    /// none.
    /// </summary>
    public PendingOutcome Take(out UpstreamConnection? connection)
    {
        connection = null;
        // Only the owner moves a completed slot on, so a read and a write are enough here.
        var outcome = Volatile.Read(ref _slot);
        switch (outcome)
        {
            case UpstreamConnection served:
                Volatile.Write(ref _slot, TakenMark);
                connection = _pool.Attach(served);
                return PendingOutcome.Ready;
            case PendingOutcome failure:
                Volatile.Write(ref _slot, TakenMark);
                return failure;
            default:
                return PendingOutcome.Cancelled;
        }
    }

    /// <summary>
    /// The owner no longer wants a connection (client gone, timeout, local reply). A connection already handed over
    /// but not taken goes back to the pool.
    /// </summary>
    public void Cancel()
    {
        switch (Interlocked.Exchange(ref _slot, CancelledMark))
        {
            case null:
                // Nobody completes it now, so nobody calls back.
                _onReady = null;
                _pool.OnCancelled();
                break;
            case UpstreamConnection served:
                _pool.ReturnUnused(served);
                break;
        }
    }

    private bool TryComplete(object outcome)
    {
        if (Interlocked.CompareExchange(ref _slot, outcome, null) is not null)
        {
            return false;
        }
        // Won from waiting, so no cancel has dropped the callback.
        _onReady!(this);
        return true;
    }
}
