using ActorMesh.Config;
using ActorMesh.Stats;
using Xunit;

namespace ActorMesh.Tests.Stats;

public sealed class TagProducerTests
{
    private static string Describe(TagExtraction e) =>
        e.Name + " " + string.Join(",", e.Tags.Select(t => $"{t.Name}={t.Value}").Order(StringComparer.Ordinal));

    /// <summary>Names and expectations from Envoy's DefaultTagExtractors tests (tag_extractor_impl_test.cc).</summary>
    [Theory]
    [InlineData("cluster.ratelimit.upstream_rq_timeout", "cluster.upstream_rq_timeout", "envoy.cluster_name=ratelimit")]
    [InlineData("cluster.xds-grpc.upstream_rq_200", "cluster.upstream_rq", "envoy.cluster_name=xds-grpc,envoy.response_code=200")]
    [InlineData("cluster.xds-grpc.upstream_rq_2xx", "cluster.upstream_rq_xx", "envoy.cluster_name=xds-grpc,envoy.response_code_class=2")]
    [InlineData("http.fag_rq.downstream_rq_2xx", "http.downstream_rq_xx", "envoy.http_conn_manager_prefix=fag_rq,envoy.response_code_class=2")]
    [InlineData("http.rds_connection_manager.rds.route_config.123.update_success", "http.rds.update_success", "envoy.http_conn_manager_prefix=rds_connection_manager,envoy.rds_route_config=route_config.123")]
    [InlineData("listener.127.0.0.1_0.downstream_cx_total", "listener.downstream_cx_total", "envoy.listener_address=127.0.0.1_0")]
    [InlineData("listener.[__1]_0.downstream_cx_total", "listener.downstream_cx_total", "envoy.listener_address=[__1]_0")]
    [InlineData("listener.[2001_0db8_85a3_0000_0000_8a2e_0370_7334]_3543.downstream_cx_total", "listener.downstream_cx_total", "envoy.listener_address=[2001_0db8_85a3_0000_0000_8a2e_0370_7334]_3543")]
    [InlineData("listener.127.0.0.1_3012.ssl.cipher.AES256-SHA", "listener.ssl.cipher", "envoy.listener_address=127.0.0.1_3012,envoy.ssl_cipher=AES256-SHA")]
    [InlineData("listener.127.0.0.1_0.http.http_prefix.downstream_rq_2xx", "listener.http.downstream_rq_xx", "envoy.http_conn_manager_prefix=http_prefix,envoy.listener_address=127.0.0.1_0,envoy.response_code_class=2")]
    [InlineData("vhost.vhost_1.vcluster.vcluster_1.upstream_rq_2xx", "vhost.vcluster.upstream_rq_xx", "envoy.response_code_class=2,envoy.virtual_cluster=vcluster_1,envoy.virtual_host=vhost_1")]
    [InlineData("cluster.ssl_cluster.ssl.ciphers.AES256-SHA", "cluster.ssl.ciphers", "cipher_suite=AES256-SHA,envoy.cluster_name=ssl_cluster")]
    [InlineData("cluster.grpc_cluster.grpc.grpc_service_1.grpc_method_1.success", "cluster.grpc.success", "envoy.cluster_name=grpc_cluster,envoy.grpc_bridge_method=grpc_method_1,envoy.grpc_bridge_service=grpc_service_1")]
    [InlineData("http.egress_dynamodb_iad.user_agent.ios.downstream_cx_total", "http.user_agent.downstream_cx_total", "envoy.http_conn_manager_prefix=egress_dynamodb_iad,envoy.http_user_agent=ios")]
    [InlineData("http.fault_connection_manager.fault.fault_cluster.aborts_injected", "http.fault.aborts_injected", "envoy.fault_downstream_cluster=fault_cluster,envoy.http_conn_manager_prefix=fault_connection_manager")]
    [InlineData("http.dynamo_filter.dynamodb.operation.Query.upstream_rq_time", "http.dynamodb.operation.upstream_rq_time", "envoy.dynamo_operation=Query,envoy.http_conn_manager_prefix=dynamo_filter")]
    [InlineData("mongo.mongo_filter.cmd.foo_cmd.reply_size", "mongo.cmd.reply_size", "envoy.mongo_cmd=foo_cmd,envoy.mongo_prefix=mongo_filter")]
    [InlineData("ratelimit.ratelimit_prefix.ok", "ratelimit.ok", "envoy.ratelimit_prefix=ratelimit_prefix")]
    [InlineData("auth.clientssl.clientssl_prefix.auth_ip_allowlist", "auth.clientssl.auth_ip_allowlist", "envoy.clientssl_prefix=clientssl_prefix")]
    [InlineData("tcp.tcp_prefix.downstream_flow_control_resumed_reading_total", "tcp.downstream_flow_control_resumed_reading_total", "envoy.tcp_prefix=tcp_prefix")]
    [InlineData("listener_manager.worker_123.dispatcher.loop_duration_us", "listener_manager.dispatcher.loop_duration_us", "envoy.worker_id=worker_123")]
    [InlineData("listener.admin.downstream_cx_total", "listener.admin.downstream_cx_total", "")]
    [InlineData("server.live", "server.live", "")]
    public void Default_extractors_tag_envoys_example_names(string name, string extracted, string tags) =>
        Assert.Equal($"{extracted} {tags}", Describe(TagProducer.Default.Produce(name)));

    [Fact]
    public void Response_code_is_extracted_before_the_prefixed_tags_as_in_envoy()
    {
        var tags = TagProducer.Default.Produce("cluster.backend.upstream_rq_200").Tags;
        Assert.Equal(["envoy.response_code", "envoy.cluster_name"], tags.Select(t => t.Name));
    }

    [Fact]
    public void Stats_tags_add_regex_and_fixed_value_tags()
    {
        var producer = TagProducer.Create(StatsConfig.Default with
        {
            StatsTags = new[]
            {
                new TagSpecifierConfig("team", null, "payments"),
                new TagSpecifierConfig("version", @"\.((v\d+)\.)", null),
            }.ToEquatableArray(),
        });
        var e = producer.Produce("cluster.backend.v2.upstream_rq_total");
        Assert.Equal("cluster.upstream_rq_total", e.Name);
        Assert.Equal("team", e.Tags[0].Name);
        Assert.Equal("payments", e.Tags[0].Value);
        Assert.Contains(new StatTag("version", "v2"), e.Tags);
        Assert.Contains(new StatTag("envoy.cluster_name", "backend"), e.Tags);
    }

    [Fact]
    public void Without_default_tags_only_the_named_defaults_run()
    {
        var producer = TagProducer.Create(StatsConfig.Default with
        {
            UseAllDefaultTags = false,
            StatsTags = new[] { new TagSpecifierConfig("envoy.cluster_name", null, null) }.ToEquatableArray(),
        });
        var e = producer.Produce("cluster.backend.upstream_rq_200");
        Assert.Equal("cluster.upstream_rq_200 envoy.cluster_name=backend", Describe(e));
        Assert.Equal("http.ingress.downstream_rq_total ", Describe(producer.Produce("http.ingress.downstream_rq_total")));
    }

    [Fact]
    public void Tags_are_computed_once_per_stat()
    {
        var counter = new StatsStore().GetOrCreate("cluster.backend.").Counter("upstream_rq_total");
        Assert.Same(counter.Tags, counter.Tags);
        Assert.Equal("cluster.upstream_rq_total", counter.TagExtractedName);
    }
}
