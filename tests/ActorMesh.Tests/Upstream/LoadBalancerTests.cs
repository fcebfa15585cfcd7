using ActorMesh.Config;
using ActorMesh.Upstream;
using Xunit;
using static ActorMesh.Tests.Upstream.UpstreamTestKit;

namespace ActorMesh.Tests.Upstream;

public sealed class LoadBalancerTests
{
    [Fact]
    public void Weighted_round_robin_splits_exactly_by_weight_and_interleaves()
    {
        var cluster = WithHosts(LbConfig(), (1001, 3, 0), (1002, 1, 0));

        var counts = Tally(cluster, 400);

        Assert.Equal(300, counts[1001]);
        Assert.Equal(100, counts[1002]);
        // EDF interleaves: the light host is not starved for three picks in a row more than once per cycle.
        var firstEight = Enumerable.Range(0, 8).Select(_ => cluster.ChooseHost(LoadBalancerContext.None)!.Endpoint.Port).ToArray();
        Assert.Equal(2, firstEight.Count(p => p == 1002));
    }

    [Fact]
    public void Edf_schedule_gives_each_entry_its_weight_per_cycle()
    {
        var schedule = EdfSchedule.Build(new[] { "a", "b", "c" }, s => s switch { "a" => 5u, "b" => 2u, _ => 1u });

        Assert.Equal(8, schedule.Length);
        Assert.Equal(5, schedule.Count(s => s == "a"));
        Assert.Equal(2, schedule.Count(s => s == "b"));
        Assert.Single(schedule, s => s == "c");
    }

    [Fact]
    public void Random_spreads_over_every_host()
    {
        var cluster = WithHosts(LbConfig(LbPolicy.Random), (1001, 1, 0), (1002, 1, 0), (1003, 1, 0));

        var counts = Tally(cluster, 3000);

        Assert.Equal(3, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 800, 1200));
    }

    [Fact]
    public void Least_request_prefers_the_host_with_fewer_active_requests()
    {
        var cluster = WithHosts(LbConfig(LbPolicy.LeastRequest) with { LoadBalancing = LoadBalancingConfig.Default with { ChoiceCount = 10 } },
            (1001, 1, 0), (1002, 1, 0));
        var busy = cluster.Membership.Hosts[0];
        Assert.Equal(LeaseResult.Leased, busy.TryLease(out var connection));

        var counts = Tally(cluster, 200);

        // Ten draws all landing on the busy host happen once in 1024.
        Assert.True(counts.GetValueOrDefault(1002) >= 190, $"idle host got {counts.GetValueOrDefault(1002)} of 200");
        busy.Release(connection!, success: false, reusable: false);
    }

    [Theory]
    [InlineData(LbPolicy.RingHash)]
    [InlineData(LbPolicy.Maglev)]
    public void Hash_policies_map_a_hash_to_one_host_and_keep_it_when_another_host_leaves(LbPolicy policy)
    {
        var ports = new[] { 1001, 1002, 1003, 1004 };
        var cluster = WithHosts(LbConfig(policy), ports.Select(p => (p, 1, 0)).ToArray());
        var hashes = Enumerable.Range(0, 500).Select(i => (ulong)i * 0x9E3779B97F4A7C15UL).ToArray();
        var before = hashes.ToDictionary(h => h, h => cluster.ChooseHost(new LoadBalancerContext(h))!.Endpoint.Port);

        Assert.All(hashes, h => Assert.Equal(before[h], cluster.ChooseHost(new LoadBalancerContext(h))!.Endpoint.Port));
        Assert.Equal(4, before.Values.Distinct().Count());

        var removed = 1003;
        cluster.Publish(new ClusterMembership(cluster.Membership.Hosts.Where(h => h.Endpoint.Port != removed).ToArray()));
        var after = hashes.ToDictionary(h => h, h => cluster.ChooseHost(new LoadBalancerContext(h))!.Endpoint.Port);

        // Modulo hashing would move about three quarters of the other hosts' hashes. Maglev moves almost none; a ring
        // moves some because Envoy rescales it (each remaining host gets more entries).
        var kept = hashes.Where(h => before[h] != removed).ToArray();
        var moved = kept.Count(h => after[h] != before[h]);
        var bound = policy == LbPolicy.Maglev ? kept.Length / 20 : kept.Length / 4;
        Assert.True(moved <= bound, $"{moved} of {kept.Length} hashes moved");
        Assert.DoesNotContain(removed, after.Values);
    }

    [Fact]
    public void Ring_hash_without_a_hash_picks_at_random()
    {
        var cluster = WithHosts(LbConfig(LbPolicy.RingHash), (1001, 1, 0), (1002, 1, 0));

        var counts = Tally(cluster, 400);

        Assert.Equal(2, counts.Count);
    }

    [Fact]
    public void Ring_size_follows_envoys_scaling_from_the_lightest_host()
    {
        var cluster = Cluster();
        var hosts = new[] { Host(cluster, 1001, weight: 1), Host(cluster, 1002, weight: 3) };

        // Envoy: scale = ceil(min_share × minimum_ring_size) / min_share = ceil(0.25 × 1024) / 0.25 = 1024.
        Assert.Equal(1024, new RingHashLoadBalancer(hosts, 1024, 8 * 1024 * 1024).RingSize);
        // 1/3 share: ceil(341.3) / (1/3) = 1026.
        Assert.Equal(1026, new RingHashLoadBalancer([hosts[0], Host(cluster, 1003, weight: 2)], 1024, 8 * 1024 * 1024).RingSize);
        Assert.Equal(100, new RingHashLoadBalancer(hosts, 1024, 100).RingSize);
    }

    [Fact]
    public void Priority_one_takes_over_when_priority_zero_is_unhealthy()
    {
        var cluster = WithHosts(LbConfig(), (1001, 1, 0), (1002, 1, 1));
        Assert.All(Tally(cluster, 50).Keys, port => Assert.Equal(1001, port));

        cluster.Membership.Hosts[0].SetHealthFlag(HostHealthFlags.FailedActiveHc, true);
        cluster.Rebuild();

        Assert.Equal(50, Tally(cluster, 50)[1002]);
    }

    [Fact]
    public void Overprovisioning_factor_spills_a_degraded_priority_to_the_next()
    {
        var cluster = WithHosts(LbConfig(), (1001, 1, 0), (1002, 1, 0), (1003, 1, 1));
        cluster.Membership.Hosts[0].SetHealthFlag(HostHealthFlags.FailedOutlierCheck, true);
        cluster.Rebuild();

        // Half of P0 healthy × 1.4 = 70 % stays on P0, 30 % goes to P1.
        Assert.Equal(new[] { 70, 30 }, cluster.PrioritySet.PriorityLoad);
    }

    [Fact]
    public void Panic_mode_uses_every_host_when_too_few_are_healthy()
    {
        var cluster = WithHosts(LbConfig(), (1001, 1, 0), (1002, 1, 0), (1003, 1, 0));
        cluster.Membership.Hosts[0].SetHealthFlag(HostHealthFlags.FailedActiveHc, true);
        cluster.Membership.Hosts[1].SetHealthFlag(HostHealthFlags.FailedActiveHc, true);
        cluster.Rebuild();

        Assert.Equal(3, Tally(cluster, 90).Count);

        var noPanic = WithHosts(LbConfig() with { LoadBalancing = LoadBalancingConfig.Default with { HealthyPanicThreshold = 0 } },
            (1001, 1, 0), (1002, 1, 0), (1003, 1, 0));
        noPanic.Membership.Hosts[0].SetHealthFlag(HostHealthFlags.FailedActiveHc, true);
        noPanic.Membership.Hosts[1].SetHealthFlag(HostHealthFlags.FailedActiveHc, true);
        noPanic.Rebuild();
        Assert.Equal(new[] { 1003 }, Tally(noPanic, 30).Keys);
    }

    [Fact]
    public void No_host_when_nothing_is_healthy_and_panic_is_off()
    {
        var cluster = WithHosts(LbConfig() with { LoadBalancing = LoadBalancingConfig.Default with { HealthyPanicThreshold = 0 } }, (1001, 1, 0));
        cluster.Membership.Hosts[0].SetHealthFlag(HostHealthFlags.FailedActiveHc, true);
        cluster.Rebuild();

        Assert.Null(cluster.ChooseHost(LoadBalancerContext.None));
    }

    [Fact]
    public void Locality_weights_split_traffic_between_localities()
    {
        var config = LbConfig() with { LoadBalancing = LoadBalancingConfig.Default with { LocalityWeighted = true } };
        var cluster = Cluster(config);
        cluster.Publish(new ClusterMembership(new[]
        {
            Host(cluster, 1001, locality: 0, localityWeight: 1),
            Host(cluster, 1002, locality: 1, localityWeight: 3),
        }));

        var counts = Tally(cluster, 4000);

        Assert.InRange(counts[1002], 2800, 3200);
    }
}
