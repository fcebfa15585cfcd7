namespace ActorMesh.Stats;

/// <summary>
/// Envoy's default tag extractors (source/common/config/well_known_names.cc), in Envoy's order, with the same names,
/// regexes and substring pre-checks. POSIX <c>[:digit:]</c> classes are written <c>0-9</c> for .NET.
/// </summary>
internal static class DefaultTagExtractors
{
    public static readonly IReadOnlyList<(string Name, string Regex, string? Substring)> All =
    [
        // *_rq(_<response_code>)
        ("envoy.response_code", @"_rq(_(\d{3}))$", "_rq_"),
        // *_rq_(<response_code_class>)xx
        ("envoy.response_code_class", @"_rq_(\d)xx$", "_rq_"),
        // http.[<stat_prefix>.]dynamodb.table.[<table_name>.]capacity.[<operation_name>.](__partition_id=<last_seven_characters_from_partition_id>)
        ("envoy.dyanmo_partition_id", @"^http(?=\.).*?\.dynamodb\.table(?=\.).*?\.capacity(?=\.).*?(\.__partition_id=(\w{7}))$", ".dynamodb.table."),
        // http.[<stat_prefix>.]dynamodb.operation.(<operation_name>.)<base_stat> or http.[<stat_prefix>.]dynamodb.table.[<table_name>.]capacity.(<operation_name>.)[<partition_id>]
        ("envoy.dynamo_operation", @"^http(?=\.).*?\.dynamodb.(?:operation|table(?=\.).*?\.capacity)(\.(.*?))(?:\.|$)", ".dynamodb."),
        // mongo.[<stat_prefix>.]collection.[<collection>.]callsite.(<callsite>.)query.<base_stat>
        ("envoy.mongo_callsite", @"^mongo(?=\.).*?\.collection(?=\.).*?\.callsite\.((.*?)\.).*?query.\w+?$", ".collection."),
        // http.[<stat_prefix>.]dynamodb.table.(<table_name>.) or http.[<stat_prefix>.]dynamodb.error.(<table_name>.)*
        ("envoy.dynamo_table", @"^http(?=\.).*?\.dynamodb.(?:table|error)\.((.*?)\.)", ".dynamodb."),
        // mongo.[<stat_prefix>.]collection.(<collection>.)query.<base_stat>
        ("envoy.mongo_collection", @"^mongo(?=\.).*?\.collection\.((.*?)\.).*?query.\w+?$", ".collection."),
        // mongo.[<stat_prefix>.]cmd.(<cmd>.)<base_stat>
        ("envoy.mongo_cmd", @"^mongo(?=\.).*?\.cmd\.((.*?)\.)\w+?$", ".cmd."),
        // cluster.[<route_target_cluster>.]grpc.[<grpc_service>.](<grpc_method>.)<base_stat>
        ("envoy.grpc_bridge_method", @"^cluster(?=\.).*?\.grpc(?=\.).*\.((.*?)\.)\w+?$", ".grpc."),
        // http.[<stat_prefix>.]user_agent.(<user_agent>.)<base_stat>
        ("envoy.http_user_agent", @"^http(?=\.).*?\.user_agent\.((.*?)\.)\w+?$", ".user_agent."),
        // vhost.[<virtual host name>.]vcluster.(<virtual_cluster_name>.)<base_stat>
        ("envoy.virtual_cluster", @"^vhost(?=\.).*?\.vcluster\.((.*?)\.)\w+?$", ".vcluster."),
        // http.[<stat_prefix>.]fault.(<downstream_cluster>.)<base_stat>
        ("envoy.fault_downstream_cluster", @"^http(?=\.).*?\.fault\.((.*?)\.)\w+?$", ".fault."),
        // listener.[<address>.]ssl.cipher.(<cipher>)
        ("envoy.ssl_cipher", @"^listener(?=\.).*?\.ssl\.cipher(\.(.*?))$", null),
        // cluster.[<cluster_name>.]ssl.ciphers.(<cipher>)
        ("cipher_suite", @"^cluster(?=\.).*?\.ssl\.ciphers(\.(.*?))$", ".ssl.ciphers."),
        // cluster.[<route_target_cluster>.]grpc.(<grpc_service>.)*
        ("envoy.grpc_bridge_service", @"^cluster(?=\.).*?\.grpc\.((.*?)\.)", ".grpc."),
        // tcp.(<stat_prefix>.)<base_stat>
        ("envoy.tcp_prefix", @"^tcp\.((.*?)\.)\w+?$", null),
        // udp.(<stat_prefix>.)<base_stat>
        ("envoy.udp_prefix", @"^udp\.((.*?)\.)\w+?$", null),
        // auth.clientssl.(<stat_prefix>.)<base_stat>
        ("envoy.clientssl_prefix", @"^auth\.clientssl\.((.*?)\.)\w+?$", null),
        // ratelimit.(<stat_prefix>.)<base_stat>
        ("envoy.ratelimit_prefix", @"^ratelimit\.((.*?)\.)\w+?$", null),
        // cluster.(<cluster_name>.)*
        ("envoy.cluster_name", @"^cluster\.(([^\.]+)\.).*", null),
        // listener.[<address>.]http.(<stat_prefix>.)*
        ("envoy.http_conn_manager_prefix", @"^listener(?=\.).*?\.http\.((.*?)\.)", ".http."),
        // http.(<stat_prefix>.)*
        ("envoy.http_conn_manager_prefix", @"^http\.((.*?)\.)", null),
        // listener.(<address>.)*
        ("envoy.listener_address", @"^listener\.(((?:[_.0-9]*|[_\[\]aAbBcCdDeEfF0-9]*))\.)", null),
        // vhost.(<virtual host name>.)*
        ("envoy.virtual_host", @"^vhost\.((.*?)\.)", null),
        // mongo.(<stat_prefix>.)*
        ("envoy.mongo_prefix", @"^mongo\.((.*?)\.)", null),
        // http.[<stat_prefix>.]rds.(<route_config_name>.)<base_stat>
        ("envoy.rds_route_config", @"^http(?=\.).*?\.rds\.((.*?)\.)\w+?$", ".rds."),
        // listener_manager.(worker_<id>.)*
        ("envoy.worker_id", @"^listener_manager\.((worker_\d+)\.)", "listener_manager.worker_"),
    ];

    public static bool IsDefaultName(string name) => All.Any(e => e.Name == name);
}
