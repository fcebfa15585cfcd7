using System.Collections.Concurrent;
using System.Diagnostics;

namespace ActorMesh.Upstream;

/// <summary>
/// One host's connection pool for one routing priority (Envoy's ConnPoolImplBase): its idle keep-alive connections,
/// and the requests pending a connection because the priority's <c>max_connections</c> is reached, at most
/// <c>max_pending_requests</c> of them. A pending request gets the next connection released to the pool (before it
/// would go idle) or, when a connection closes and frees a slot, a new one.
/// <para>
/// Lock-free. Requests lease and release from any thread; only the matching of waiting requests with idle connections
/// and free slots is serialised, without blocking anyone: a thread that finds another one matching leaves a note and
/// returns, and the one matching goes round once more. Every change that could let a waiting request go on (a
/// connection idle, a slot free, a request queued or cancelled) asks for a round, so no request waits while a
/// connection idles.
/// </para>
/// </summary>
internal sealed class ConnectionPool
{
    // Envoy's circuit_breakers default max_connections; the idle pool never holds more.
    private const int MaxIdleConnections = 1024;

    // Cancelled requests stay queued until a round passes them; when the queue holds more than twice the waiting
    // requests plus this many, a round compacts it, so it stays bounded by max_pending_requests.
    private const int CompactionSlack = 32;

    private readonly ConcurrentQueue<UpstreamConnection> _idle = new();
    private readonly ConcurrentQueue<PendingRequest> _pending = new();
    private readonly CircuitBreaker _breaker;
    private readonly UpstreamOverflowStats _stats;
    private readonly long _maxRequestsPerConnection;

    // This pool's open connections, for the rule that a host always gets its first one.
    private int _connections;

    // Requests queued and not yet served, failed or cancelled; entries in the queue, cancelled ones included.
    private int _waiting;
    private int _queued;

    // Rounds asked for; whoever raises it from zero runs them.
    private int _rounds;

    // Set once the host left the cluster; a connection that failed to connect since the last round.
    private int _draining;
    private int _connectFailed;

    public ConnectionPool(UpstreamHost host, CircuitBreaker breaker, UpstreamOverflowStats stats, long maxRequestsPerConnection)
    {
        Host = host;
        _breaker = breaker;
        _stats = stats;
        _maxRequestsPerConnection = maxRequestsPerConnection;
    }

    public UpstreamHost Host { get; }

    /// <summary>Entries in the queue, cancelled ones not yet dropped included: bounded, whatever cancels.</summary>
    internal int Queued => Volatile.Read(ref _queued);

    /// <summary>
    /// Envoy's <c>newStream</c>: an idle connection when there is one; else a new one while <c>max_connections</c>
    /// allows (the request counts as pending until it is up); else, with <paramref name="onReady"/>, the request waits
    /// in the pool (<see cref="LeaseResult.Pending"/>) within <c>max_pending_requests</c>. Past a limit it overflows
    /// (<c>upstream_rq_pending_overflow</c>). A request that finds others waiting queues behind them, first come first
    /// served as in Envoy, where a connection is only ever idle while nothing waits. Without
    /// <paramref name="onReady"/> (a shadow) nothing waits.
    /// </summary>
    public LeaseResult TryLease(Action<PendingRequest>? onReady, out UpstreamConnection? connection, out PendingRequest? pending)
    {
        connection = null;
        pending = null;
        if (!_breaker.Requests.TryAcquire())
        {
            _stats.UpstreamRqPendingOverflow.Inc();
            return LeaseResult.Overflow;
        }
        var behindOthers = onReady is not null && Volatile.Read(ref _waiting) > 0;
        if (!behindOthers && TakeIdle() is { } idle)
        {
            connection = Host.Leased(idle, Stopwatch.GetTimestamp());
            return LeaseResult.Leased;
        }
        if (!behindOthers && TryReserveConnection())
        {
            if (!TryEnterPending())
            {
                ReleaseConnectionSlot();
                _breaker.Requests.Release();
                _stats.UpstreamRqPendingOverflow.Inc();
                Dispatch();
                return LeaseResult.Overflow;
            }
            connection = Host.Leased(Open(pendingUntilConnected: true), Stopwatch.GetTimestamp());
            return LeaseResult.Leased;
        }
        // A pending request holds no max_requests slot: it takes one when a connection comes to it.
        _breaker.Requests.Release();
        if (onReady is not null && !TryEnterPending())
        {
            _stats.UpstreamRqPendingOverflow.Inc();
            return LeaseResult.Overflow;
        }
        // Envoy counts the connection it could not open for the request it queued (or, for a shadow, dropped).
        _stats.UpstreamCxOverflow.Inc();
        if (onReady is null)
        {
            return LeaseResult.Overflow;
        }
        pending = new PendingRequest(this, onReady);
        Interlocked.Increment(ref _waiting);
        Interlocked.Increment(ref _queued);
        _pending.Enqueue(pending);
        // A connection may have gone idle, or a slot come free, since this request looked.
        Dispatch();
        return LeaseResult.Pending;
    }

    /// <summary>
    /// The request on <paramref name="connection"/> ended. A reusable connection goes to the oldest waiting request,
    /// else idle; any other closes, which frees its slot for a waiting request.
    /// </summary>
    public void Return(UpstreamConnection connection, bool reusable)
    {
        _breaker.Requests.Release();
        if (reusable && _maxRequestsPerConnection > 0 && connection.Requests >= _maxRequestsPerConnection)
        {
            _stats.UpstreamCxMaxRequests.Inc();
            connection.Close(abort: false);
            return;
        }
        ParkOrClose(connection, reusable);
    }

    /// <summary>A connection handed to a request that was cancelled before it took it: back to the pool unused.</summary>
    internal void ReturnUnused(UpstreamConnection connection)
    {
        _breaker.Requests.Release();
        ParkOrClose(connection, reusable: true);
    }

    /// <summary>The request's lease on a connection handed over by a round: Envoy counts it as it attaches.</summary>
    internal UpstreamConnection Attach(UpstreamConnection connection) => Host.Leased(connection, Stopwatch.GetTimestamp());

    /// <summary>A waiting request gave up (Envoy's <c>upstream_rq_cancelled</c>).</summary>
    internal void OnCancelled()
    {
        Settle();
        _stats.UpstreamRqCancelled.Inc();
        Dispatch();
    }

    /// <summary>
    /// The host left the cluster (Envoy drains its pools): idle connections close, waiting requests fail, connections
    /// still leased close when released and no request waits here any more.
    /// </summary>
    public void Drain()
    {
        Interlocked.Exchange(ref _draining, 1);
        CloseIdle();
        Dispatch();
    }

    private void CloseIdle()
    {
        while (_idle.TryDequeue(out var pooled))
        {
            pooled.Close(abort: false);
        }
    }

    /// <summary>
    /// Closes connections idle since before <paramref name="idleSince"/> (<c>idle_timeout</c>). The pool is first in,
    /// first out, so the oldest idle connection is at its head; returns how many closed.
    /// </summary>
    public int CloseIdleSince(long idleSince)
    {
        var closed = 0;
        while (_idle.TryPeek(out var oldest) && oldest.IdleSince < idleSince)
        {
            if (!_idle.TryDequeue(out var taken))
            {
                break;
            }
            if (taken.IdleSince >= idleSince)
            {
                // A lease took the peeked one first; this one is younger: back in the pool, where a request may
                // have started waiting while it was out.
                _idle.Enqueue(taken);
                Dispatch();
                break;
            }
            if (taken.TryLease())
            {
                taken.Close(abort: false);
                closed++;
            }
        }
        return closed;
    }

    /// <summary>A connection of this pool closed: its slot is free, perhaps for a waiting request.</summary>
    internal void OnConnectionClosed()
    {
        Interlocked.Decrement(ref _connections);
        _breaker.Connections.Release();
        Host.OnConnectionClosed();
        Dispatch();
    }

    private UpstreamConnection? TakeIdle()
    {
        while (_idle.TryDequeue(out var pooled))
        {
            if (pooled.TryLease())
            {
                return pooled;
            }
        }
        return null;
    }

    private void ParkOrClose(UpstreamConnection connection, bool reusable)
    {
        if (reusable && !connection.IsClosed && connection.IsReusable && Volatile.Read(ref _draining) == 0 && _idle.Count < MaxIdleConnections)
        {
            connection.MarkIdle();
            _idle.Enqueue(connection);
            Dispatch();
        }
        else
        {
            connection.Close(abort: !reusable);
        }
    }

    /// <summary>
    /// A connection slot within <c>max_connections</c>; past it, still one for a pool with no connection at all, as
    /// Envoy makes sure a host chosen by the balancer gets one.
    /// </summary>
    private bool TryReserveConnection()
    {
        if (_breaker.Connections.TryAcquire())
        {
            Interlocked.Increment(ref _connections);
            return true;
        }
        if (Interlocked.CompareExchange(ref _connections, 1, 0) == 0)
        {
            _stats.UpstreamCxOverflow.Inc();
            _breaker.Connections.ForceAcquire();
            return true;
        }
        return false;
    }

    private void ReleaseConnectionSlot()
    {
        Interlocked.Decrement(ref _connections);
        _breaker.Connections.Release();
    }

    private UpstreamConnection Open(bool pendingUntilConnected)
    {
        var opened = UpstreamConnection.Open(this);
        opened.Connected.ContinueWith(
            static (connect, state) =>
            {
                var (pool, pending) = ((ConnectionPool, bool))state!;
                if (pending)
                {
                    pool.LeavePending();
                }
                if (!connect.IsCompletedSuccessfully)
                {
                    // Envoy purges the pending requests of a pool whose connection failed: the callers decide again.
                    Interlocked.Exchange(ref pool._connectFailed, 1);
                    pool.Dispatch();
                }
            },
            (this, pendingUntilConnected),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return opened;
    }

    private bool TryEnterPending()
    {
        if (!_breaker.PendingRequests.TryAcquire())
        {
            return false;
        }
        _stats.UpstreamRqPendingTotal.Inc();
        _stats.UpstreamRqPendingActive.Inc();
        return true;
    }

    private void LeavePending()
    {
        _breaker.PendingRequests.Release();
        _stats.UpstreamRqPendingActive.Dec();
    }

    /// <summary>A waiting request was served (by <paramref name="connection"/>), failed or cancelled.</summary>
    private void Settle(UpstreamConnection? connection = null)
    {
        Interlocked.Decrement(ref _waiting);
        if (connection is { Connected.IsCompleted: false })
        {
            // Served by a connection still connecting: the request stays pending until it is up, as Envoy's does.
            connection.Connected.ContinueWith(
                static (_, pool) => ((ConnectionPool)pool!).LeavePending(),
                this,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return;
        }
        LeavePending();
    }

    /// <summary>Asks for a round; runs it, and any asked for meanwhile, unless another thread is running them.</summary>
    private void Dispatch()
    {
        // Nothing waits, nothing to fail or compact: the common release asks for no round. A request queued
        // concurrently is counted before it looks for connections, so one of the two sides sees the other.
        if (Volatile.Read(ref _waiting) <= 0 && Volatile.Read(ref _queued) <= CompactionSlack
            && Volatile.Read(ref _connectFailed) == 0 && Volatile.Read(ref _draining) == 0)
        {
            return;
        }
        if (Interlocked.Increment(ref _rounds) != 1)
        {
            return;
        }
        var asked = 1;
        while (true)
        {
            RunRound();
            var more = Interlocked.Add(ref _rounds, -asked);
            if (more == 0)
            {
                return;
            }
            asked = more;
        }
    }

    /// <summary>
    /// One round, on one thread at a time (so the only one taking requests off the queue): failures first, then
    /// waiting requests matched with idle connections, then with new connections in free slots, oldest first.
    /// </summary>
    private void RunRound()
    {
        if (Volatile.Read(ref _draining) != 0)
        {
            FailWaiting(PendingOutcome.HostRemoved);
        }
        else if (Interlocked.Exchange(ref _connectFailed, 0) != 0)
        {
            FailWaiting(PendingOutcome.ConnectionFailure);
        }
        if (Volatile.Read(ref _queued) > 2 * Volatile.Read(ref _waiting) + CompactionSlack)
        {
            Compact();
        }
        while (Volatile.Read(ref _waiting) > 0)
        {
            var connection = TakeIdle();
            if (connection is null && Volatile.Read(ref _draining) == 0 && TryReserveConnection())
            {
                connection = Open(pendingUntilConnected: false);
            }
            if (connection is null)
            {
                return;
            }
            if (!HandOver(connection))
            {
                // The waiting request is not queued yet, or was cancelled: whoever queues the next one asks for a round.
                connection.MarkIdle();
                _idle.Enqueue(connection);
                return;
            }
        }
    }

    /// <summary>Gives <paramref name="connection"/> to the oldest waiting request that can take it.</summary>
    private bool HandOver(UpstreamConnection connection)
    {
        while (_pending.TryDequeue(out var waiter))
        {
            Interlocked.Decrement(ref _queued);
            if (!waiter.IsWaiting)
            {
                continue;
            }
            if (!_breaker.Requests.TryAcquire())
            {
                // Envoy's attach: max_requests is full, so this request overflows; the connection stays for the next.
                if (waiter.TryFail(PendingOutcome.Overflow))
                {
                    _stats.UpstreamRqPendingOverflow.Inc();
                    Settle();
                }
                continue;
            }
            if (waiter.TryServe(connection))
            {
                Settle(connection);
                return true;
            }
            _breaker.Requests.Release();
        }
        return false;
    }

    private void FailWaiting(PendingOutcome failure)
    {
        while (_pending.TryDequeue(out var waiter))
        {
            Interlocked.Decrement(ref _queued);
            if (waiter.TryFail(failure))
            {
                if (failure == PendingOutcome.ConnectionFailure)
                {
                    _stats.UpstreamRqPendingFailureEject.Inc();
                }
                Settle();
            }
        }
    }

    /// <summary>Drops the cancelled requests from the queue, keeping the waiting ones in order.</summary>
    private void Compact()
    {
        for (var n = Volatile.Read(ref _queued); n > 0 && _pending.TryDequeue(out var entry); n--)
        {
            if (entry.IsWaiting)
            {
                _pending.Enqueue(entry);
            }
            else
            {
                Interlocked.Decrement(ref _queued);
            }
        }
    }
}
