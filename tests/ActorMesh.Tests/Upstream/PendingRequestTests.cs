using ActorMesh.Config;
using ActorMesh.Tests.Support;
using ActorMesh.Upstream;
using Xunit;
using static ActorMesh.Tests.Upstream.UpstreamTestKit;

namespace ActorMesh.Tests.Upstream;

/// <summary>
/// A host's pool and its pending requests, driven directly over real loopback connections: who gets a connection,
/// what a cancelled request does with one, and what happens when connecting fails or the host leaves.
/// </summary>
public sealed class PendingRequestTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private static UpstreamCluster OneConnectionCluster(TimeSpan? connectTimeout = null) => Cluster(LbConfig() with
    {
        ConnectTimeout = connectTimeout ?? ClusterConfig.DefaultConnectTimeout,
        CircuitBreakers = new CircuitBreakersConfig(ThresholdsConfig.Default with { MaxConnections = 1, MaxPendingRequests = 10 }, ThresholdsConfig.Default),
    });

    private static (Action<PendingRequest> OnReady, Task<PendingRequest> Ready) Callback()
    {
        var ready = new TaskCompletionSource<PendingRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        return (p => ready.TrySetResult(p), ready.Task);
    }

    /// <summary>A host of <paramref name="cluster"/> whose one connection is leased, and a request waiting behind it.</summary>
    private static async Task<(UpstreamHost Host, UpstreamConnection First, PendingRequest Pending, Task<PendingRequest> Ready)> OneLeasedOneWaiting(UpstreamCluster cluster, int port)
    {
        var host = Host(cluster, port);
        Assert.Equal(LeaseResult.Leased, host.TryLease(RoutingPriority.Default, null, out var first, out _));
        await first!.Connected.WaitAsync(Wait);
        var (onReady, ready) = Callback();
        Assert.Equal(LeaseResult.Pending, host.TryLease(RoutingPriority.Default, onReady, out _, out var pending));
        return (host, first, pending!, ready);
    }

    [Fact]
    public async Task A_released_connection_goes_to_the_waiting_request_before_it_goes_idle()
    {
        await using var upstream = TestUpstream.Answering("ok");
        var cluster = OneConnectionCluster();
        var (host, first, pending, ready) = await OneLeasedOneWaiting(cluster, upstream.Port);
        Assert.False(ready.IsCompleted);

        host.Release(first, success: true, reusable: true);

        Assert.Same(pending, await ready.WaitAsync(Wait));
        Assert.Equal(PendingOutcome.Ready, pending.Take(out var handed));
        Assert.Same(first, handed);
        Assert.Equal(1, host.RqActive);
        Assert.Equal(1, cluster.CircuitBreaker.Requests.Count);
        Assert.Equal(0, cluster.CircuitBreaker.PendingRequests.Count);
        host.Release(handed!, success: true, reusable: true);
        Assert.Equal(0, cluster.CircuitBreaker.Requests.Count);
        Assert.Equal(1, upstream.Accepts);
    }

    [Fact]
    public async Task A_connection_handed_to_a_request_that_cancelled_goes_back_to_the_pool()
    {
        await using var upstream = TestUpstream.Answering("ok");
        var cluster = OneConnectionCluster();
        var (host, first, pending, ready) = await OneLeasedOneWaiting(cluster, upstream.Port);
        host.Release(first, success: true, reusable: true);
        await ready.WaitAsync(Wait);

        // The owner gave up between the hand-over and taking it (its stage stopped, say).
        pending.Cancel();

        Assert.Equal(PendingOutcome.Cancelled, pending.Take(out var none));
        Assert.Null(none);
        Assert.Equal(0, cluster.CircuitBreaker.Requests.Count);
        Assert.Equal(0, host.RqActive);
        Assert.Equal(LeaseResult.Leased, host.TryLease(RoutingPriority.Default, null, out var next, out _));
        Assert.Same(first, next);
        host.Release(next!, success: true, reusable: true);
        Assert.Equal(1, upstream.Accepts);
    }

    [Fact]
    public async Task A_request_cancelled_while_waiting_is_counted_and_never_handed_a_connection()
    {
        await using var upstream = TestUpstream.Answering("ok");
        var cluster = OneConnectionCluster();
        var (host, first, pending, ready) = await OneLeasedOneWaiting(cluster, upstream.Port);
        Assert.Equal(1, cluster.OverflowStats.UpstreamRqPendingActive.Value);

        pending.Cancel();

        Assert.Equal(1, cluster.OverflowStats.UpstreamRqCancelled.Value);
        Assert.Equal(0, cluster.OverflowStats.UpstreamRqPendingActive.Value);
        Assert.Equal(0, cluster.CircuitBreaker.PendingRequests.Count);
        host.Release(first, success: true, reusable: true);
        Assert.Equal(LeaseResult.Leased, host.TryLease(RoutingPriority.Default, null, out var next, out _));
        Assert.Same(first, next);
        Assert.False(ready.IsCompleted);
        host.Release(next!, success: true, reusable: true);
    }

    [Fact]
    public async Task A_host_leaving_the_cluster_fails_its_waiting_requests_and_closes_its_connections()
    {
        await using var upstream = TestUpstream.Answering("ok");
        var cluster = OneConnectionCluster();
        var (host, first, pending, ready) = await OneLeasedOneWaiting(cluster, upstream.Port);

        host.Drain();

        await ready.WaitAsync(Wait);
        Assert.Equal(PendingOutcome.HostRemoved, pending.Take(out _));
        Assert.Equal(0, cluster.CircuitBreaker.PendingRequests.Count);
        // Released after the drain, the connection closes instead of waiting in a pool nobody uses.
        host.Release(first, success: true, reusable: true);
        Assert.True(first.IsClosed);
        Assert.Equal(0, host.CxActive);
        Assert.Equal(0, cluster.CircuitBreaker.Connections.Count);
    }

    [Fact]
    public async Task A_connection_that_fails_to_connect_fails_the_requests_waiting_in_its_pool()
    {
        using var hanging = await FullBacklogPort.OpenAsync();
        var cluster = OneConnectionCluster(connectTimeout: TimeSpan.FromMilliseconds(300));
        var host = Host(cluster, hanging.Port);
        Assert.Equal(LeaseResult.Leased, host.TryLease(RoutingPriority.Default, null, out var connecting, out _));
        var (onReady, ready) = Callback();
        Assert.Equal(LeaseResult.Pending, host.TryLease(RoutingPriority.Default, onReady, out _, out var pending));

        await ready.WaitAsync(Wait);

        Assert.True(connecting!.Connected.IsFaulted);
        Assert.Equal(PendingOutcome.ConnectionFailure, pending!.Take(out _));
        Assert.Equal(1, cluster.OverflowStats.UpstreamRqPendingFailureEject.Value);
        Assert.Equal(0, cluster.OverflowStats.UpstreamRqPendingActive.Value);
        host.Release(connecting, success: false, reusable: false);
        Assert.Equal(0, cluster.CircuitBreaker.Connections.Count);
    }

    [Fact]
    public async Task The_queue_stays_bounded_however_many_waiting_requests_cancel()
    {
        await using var upstream = TestUpstream.Answering("ok");
        var cluster = OneConnectionCluster();
        var (host, first, oldest, ready) = await OneLeasedOneWaiting(cluster, upstream.Port);

        for (var i = 0; i < 500; i++)
        {
            Assert.Equal(LeaseResult.Pending, host.TryLease(RoutingPriority.Default, _ => { }, out _, out var gaveUp));
            gaveUp!.Cancel();
        }

        Assert.InRange(host.Pool(RoutingPriority.Default).Queued, 1, 40);
        Assert.Equal(500, cluster.OverflowStats.UpstreamRqCancelled.Value);
        host.Release(first, success: true, reusable: true);
        Assert.Same(oldest, await ready.WaitAsync(Wait));
        Assert.Equal(PendingOutcome.Ready, oldest.Take(out var handed));
        host.Release(handed!, success: true, reusable: true);
    }

    [Fact]
    public async Task Concurrent_leases_and_releases_never_leave_a_request_waiting_beside_an_idle_connection()
    {
        await using var upstream = TestUpstream.Answering("ok");
        var cluster = Cluster(LbConfig() with
        {
            CircuitBreakers = new CircuitBreakersConfig(ThresholdsConfig.Default with { MaxConnections = 2, MaxPendingRequests = 64 }, ThresholdsConfig.Default),
        });
        var host = Host(cluster, upstream.Port);
        const int Workers = 4;
        const int Rounds = 200;

        async Task Worker()
        {
            for (var i = 0; i < Rounds; i++)
            {
                var (onReady, ready) = Callback();
                var lease = host.TryLease(RoutingPriority.Default, onReady, out var connection, out var pending);
                Assert.NotEqual(LeaseResult.Overflow, lease);
                if (lease == LeaseResult.Pending)
                {
                    await ready.WaitAsync(Wait);
                    Assert.Equal(PendingOutcome.Ready, pending!.Take(out connection));
                }
                // A lessee holds its connection at least until it is up (it writes the request on it); only then
                // does the request stop counting as pending.
                await connection!.Connected.WaitAsync(Wait);
                await Task.Yield();
                host.Release(connection, success: true, reusable: true);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(Worker))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, cluster.CircuitBreaker.Requests.Count);
        Assert.Equal(0, cluster.CircuitBreaker.PendingRequests.Count);
        Assert.Equal(0, host.Pool(RoutingPriority.Default).Queued);
        Assert.InRange(cluster.CircuitBreaker.Connections.Count, 1, 2);
        Assert.Equal(Workers * Rounds, host.RqTotal);
    }
}
