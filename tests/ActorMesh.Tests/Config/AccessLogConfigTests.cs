using ActorMesh.Config;
using Xunit;

namespace ActorMesh.Tests.Config;

public sealed class AccessLogConfigTests
{
    // The access_log block replaces {ACCESS_LOG}, which is on line 12: its first line is line 12.
    private const string Template = """
        static_resources:
          listeners:
          - name: web
            address:
              socket_address: { address: 0.0.0.0, port_value: 8080 }
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: ingress_http
        {ACCESS_LOG}
                  route_config:
                    virtual_hosts:
                    - name: app
                      domains: ["*"]
                      routes:
                      - match: { prefix: "/" }
                        route: { cluster: web }
                  http_filters:
                  - name: envoy.filters.http.router
          clusters:
          - name: web
            load_assignment:
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: 10.0.0.1, port_value: 80 } } }
        """;

    private const string HcmPath = "static_resources.listeners[0].filter_chains[0].filters[0].typed_config";

    private static string Yaml(string accessLog)
    {
        // Indent the block to the HCM's body (10 spaces).
        var indented = string.Join("\n", accessLog.Trim('\n').Split('\n').Select(line => "          " + line));
        return Template.Replace("{ACCESS_LOG}", indented);
    }

    private static EquatableArray<AccessLogConfig> Load(string accessLog)
    {
        var result = ConfigLoader.LoadYaml(Yaml(accessLog));
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        var listener = Assert.Single(result.Config!.StaticResources.Listeners);
        var hcm = Assert.IsType<HttpConnectionManagerConfig>(Assert.Single(Assert.Single(listener.FilterChains).Filters));
        return hcm.AccessLogs;
    }

    private static string[] Errors(string accessLog)
    {
        var result = ConfigLoader.LoadYaml(Yaml(accessLog));
        Assert.False(result.IsValid);
        return result.Errors.Select(e => e.ToString()).ToArray();
    }

    [Fact]
    public void No_access_log_is_an_empty_list()
    {
        var result = ConfigLoader.LoadYaml(Template.Replace("{ACCESS_LOG}\n", ""));

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        var hcm = (HttpConnectionManagerConfig)result.Config!.StaticResources.Listeners[0].FilterChains[0].Filters[0];
        Assert.Empty(hcm.AccessLogs);
    }

    [Fact]
    public void V2_and_v3_file_access_logs_with_a_text_format_load_to_equal_models()
    {
        const string format = "[%START_TIME%] %REQ(:METHOD)% %RESPONSE_CODE%\\n";
        var v2Config = Load($$"""
            access_log:
            - name: envoy.file_access_log
              config:
                path: /var/log/envoy/access.log
                format: "{{format}}"
            """);
        var v2Typed = Load($$"""
            access_log:
            - name: envoy.file_access_log
              typed_config:
                "@type": type.googleapis.com/envoy.config.accesslog.v2.FileAccessLog
                path: /var/log/envoy/access.log
                format: "{{format}}"
            """);
        var v3TextFormat = Load($$"""
            access_log:
            - name: envoy.access_loggers.file
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                path: /var/log/envoy/access.log
                log_format:
                  text_format: "{{format}}"
            """);
        var v3Source = Load($$"""
            access_log:
            - typed_config:
                "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                path: /var/log/envoy/access.log
                log_format:
                  text_format_source:
                    inline_string: "{{format}}"
            """);

        var expected = new AccessLogConfig(
            "envoy.access_loggers.file",
            AccessLogSinkKind.File,
            "/var/log/envoy/access.log",
            new AccessLogFormatConfig("[%START_TIME%] %REQ(:METHOD)% %RESPONSE_CODE%\n", null));
        Assert.Equal(expected, Assert.Single(v2Config));
        Assert.Equal(v2Config, v2Typed);
        Assert.Equal(v2Config, v3TextFormat);
        Assert.Equal(v2Config, v3Source);
    }

    [Fact]
    public void V2_json_format_and_v3_log_format_json_format_load_to_equal_models()
    {
        var v2 = Load("""
            access_log:
            - name: envoy.file_access_log
              config:
                path: /tmp/access.json
                json_format:
                  status: "%RESPONSE_CODE%"
                  method: "%REQ(:METHOD)%"
                  version: 2
                  sampled: true
                  nothing: null
                  upstream: { host: "%UPSTREAM_HOST%", cluster: "%UPSTREAM_CLUSTER%" }
            """);
        var v3 = Load("""
            access_log:
            - name: envoy.access_loggers.file
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                path: /tmp/access.json
                log_format:
                  json_format:
                    status: "%RESPONSE_CODE%"
                    method: "%REQ(:METHOD)%"
                    version: 2
                    sampled: true
                    nothing: null
                    upstream:
                      host: "%UPSTREAM_HOST%"
                      cluster: "%UPSTREAM_CLUSTER%"
            """);

        Assert.Equal(v2, v3);
        var json = Assert.Single(v2).Format!.JsonFormat!.Value;
        Assert.Equal(["status", "method", "version", "sampled", "nothing", "upstream"], json.Select(f => f.Key));
        Assert.Equal(JsonFormatValue.Scalar(JsonFormatValueKind.String, "%RESPONSE_CODE%"), json[0].Value);
        Assert.Equal(JsonFormatValue.Scalar(JsonFormatValueKind.Number, "2"), json[2].Value);
        Assert.Equal(JsonFormatValue.Scalar(JsonFormatValueKind.Bool, "true"), json[3].Value);
        Assert.Equal(JsonFormatValueKind.Null, json[4].Value.Kind);
        Assert.Equal(["host", "cluster"], json[5].Value.Fields.Select(f => f.Key));
    }

    [Fact]
    public void Stdout_and_stderr_loggers_load_with_the_default_format()
    {
        var logs = Load("""
            access_log:
            - name: envoy.access_loggers.stdout
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
            - name: envoy.access_loggers.stderr
            - name: my_stderr
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StderrAccessLog
                log_format:
                  text_format_source: { inline_string: "%PROTOCOL%\n" }
                  omit_empty_values: true
                  content_type: text/plain
            """);

        Assert.Equal(
            [
                new AccessLogConfig("envoy.access_loggers.stdout", AccessLogSinkKind.Stdout, null, null),
                new AccessLogConfig("envoy.access_loggers.stderr", AccessLogSinkKind.Stderr, null, null),
                new AccessLogConfig("my_stderr", AccessLogSinkKind.Stderr, null, new AccessLogFormatConfig("%PROTOCOL%\n", null, true, "text/plain")),
            ],
            logs);
    }

    [Fact]
    public void Every_filter_kind_loads_to_its_model_nested_under_and_and_or()
    {
        var logs = Load("""
            access_log:
            - name: envoy.access_loggers.stdout
              filter:
                or_filter:
                  filters:
                  - and_filter:
                      filters:
                      - status_code_filter: { comparison: { op: GE, value: { default_value: 400, runtime_key: log.min_status } } }
                      - duration_filter: { comparison: { op: le, value: { default_value: 250, runtime_key: log.max_ms } } }
                      - header_filter: { header: { name: ":method", string_match: { exact: GET } } }
                  - response_flag_filter: { flags: [UH, NR, UAEX] }
                  - response_flag_filter: {}
                  - runtime_filter: { runtime_key: log.sample, percent_sampled: { numerator: 5, denominator: TEN_THOUSAND }, use_independent_randomness: true }
                  - not_health_check_filter: {}
                  - traceable_filter: {}
                  - status_code_filter: { comparison: {} }
            """);

        var filter = Assert.IsType<OrFilterConfig>(Assert.Single(logs).Filter);
        AccessLogFilterConfig[] expected =
        [
            new AndFilterConfig(new AccessLogFilterConfig[]
            {
                new StatusCodeFilterConfig(new ComparisonConfig(ComparisonOp.Ge, 400, "log.min_status")),
                new DurationFilterConfig(new ComparisonConfig(ComparisonOp.Le, 250, "log.max_ms")),
                new HeaderFilterConfig(new HeaderMatcherConfig(":method", HeaderMatchKind.String) { StringMatch = new StringMatcherConfig(StringMatchKind.Exact, "GET", false) }),
            }.ToEquatableArray()),
            new ResponseFlagFilterConfig(new[] { "UH", "NR", "UAEX" }.ToEquatableArray()),
            new ResponseFlagFilterConfig(EquatableArray<string>.Empty),
            new RuntimeFilterConfig("log.sample", new FractionalPercentConfig(5, FractionDenominator.TenThousand), true),
            NotHealthCheckFilterConfig.Instance,
            TraceableFilterConfig.Instance,
            new StatusCodeFilterConfig(new ComparisonConfig(ComparisonOp.Eq, 0, null)),
        ];
        Assert.Equal(expected, filter.Filters);
    }

    [Fact]
    public void A_filter_on_a_file_logger_and_a_runtime_filter_take_envoy_defaults()
    {
        var log = Assert.Single(Load("""
            access_log:
            - name: envoy.access_loggers.file
              filter: { runtime_filter: { runtime_key: access_log.sample } }
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                path: /var/log/a.log
            """));

        Assert.Equal("/var/log/a.log", log.Path);
        Assert.Equal(new RuntimeFilterConfig("access_log.sample", FractionalPercentConfig.Zero, false), log.Filter);
    }

    [Theory]
    [InlineData("filter: {}", "access_log[0].filter (line 14): one of status_code_filter, duration_filter, not_health_check_filter, traceable_filter, runtime_filter, and_filter, or_filter, header_filter, response_flag_filter is required")]
    [InlineData("filter: { not_health_check_filter: {}, traceable_filter: {} }", "access_log[0].filter.traceable_filter (line 14): only one of")]
    [InlineData("filter: { grpc_status_filter: { statuses: [OK] } }", "access_log[0].filter.grpc_status_filter (line 14): unsupported access log filter 'grpc_status_filter': ActorMesh proxies no gRPC")]
    [InlineData("filter: { metadata_filter: {} }", "access_log[0].filter.metadata_filter (line 14): unsupported access log filter 'metadata_filter'")]
    [InlineData("filter: { status_code_filter: {} }", "access_log[0].filter.status_code_filter.comparison (line 14): missing required field")]
    [InlineData("filter: { status_code_filter: { comparison: { op: GT } } }", "access_log[0].filter.status_code_filter.comparison.op (line 14): unsupported value 'GT' (supported: EQ, GE, LE)")]
    [InlineData("filter: { duration_filter: { comparison: { value: { default_value: 5 } } } }", "access_log[0].filter.duration_filter.comparison.value.runtime_key (line 14): missing required field")]
    [InlineData("filter: { runtime_filter: { percent_sampled: { numerator: 1 } } }", "access_log[0].filter.runtime_filter.runtime_key (line 14): missing required field")]
    [InlineData("filter: { and_filter: { filters: [ { traceable_filter: {} } ] } }", "access_log[0].filter.and_filter.filters (line 14): must have at least 2 items")]
    [InlineData("filter: { or_filter: { filters: [ { traceable_filter: {} }, { bogus_filter: {} } ] } }", "access_log[0].filter.or_filter.filters[1] (line 14): one of")]
    [InlineData("filter: { header_filter: {} }", "access_log[0].filter.header_filter.header (line 14): missing required field")]
    [InlineData("filter: { response_flag_filter: { flags: [UH, XX] } }", "access_log[0].filter.response_flag_filter.flags[1] (line 14): unknown response flag 'XX' (expected one of LH, UH")]
    public void An_invalid_filter_fails_the_load_at_its_path_and_line(string filter, string expected)
    {
        var errors = Errors($$"""
            access_log:
            - name: envoy.access_loggers.stdout
              {{filter}}
            """);

        Assert.StartsWith($"{HcmPath}.{expected}", errors[0]);
    }

    [Fact]
    public void Unknown_fields_inside_an_access_log_config_are_reported()
    {
        var errors = Errors("""
            access_log:
            - name: envoy.access_loggers.file
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                path: /tmp/a.log
                log_format:
                  text_format_source: { environment_variable: ACCESS_LOG_FORMAT }
                  formatters: []
            """);

        Assert.Equal(
            [
                $"{HcmPath}.access_log[0].typed_config.log_format.formatters (line 19): unknown field",
                $"{HcmPath}.access_log[0].typed_config.log_format.text_format_source.environment_variable (line 18): unsupported field 'environment_variable'",
            ],
            errors.OrderBy(e => e, StringComparer.Ordinal));
    }

    [Fact]
    public void A_text_format_source_file_is_read_at_load_and_a_missing_one_is_an_error()
    {
        var formatFile = Path.GetTempFileName();
        File.WriteAllText(formatFile, "%RESPONSE_CODE% from a file\n");
        try
        {
            var log = Assert.Single(Load($$"""
                access_log:
                - name: envoy.access_loggers.stdout
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
                    log_format: { text_format_source: { filename: {{formatFile}} } }
                """));
            var missing = Errors("""
                access_log:
                - name: envoy.access_loggers.stdout
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
                    log_format: { text_format_source: { filename: /nonexistent/format.txt } }
                """);

            Assert.Equal(new AccessLogFormatConfig("%RESPONSE_CODE% from a file\n", null), log.Format);
            Assert.StartsWith($"{HcmPath}.access_log[0].typed_config.log_format.text_format_source.filename (line 16): cannot read '/nonexistent/format.txt'", Assert.Single(missing));
        }
        finally
        {
            File.Delete(formatFile);
        }
    }

    [Fact]
    public void An_unknown_command_operator_fails_the_load_at_the_format()
    {
        var errors = Errors("""
            access_log:
            - name: envoy.access_loggers.stdout
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
                log_format:
                  text_format: "%PROTOCOL% %NO_SUCH_THING%\n"
            """);

        Assert.Equal([$"{HcmPath}.access_log[0].typed_config.log_format.text_format (line 17): unsupported command operator '%NO_SUCH_THING%'"], errors);
    }

    [Fact]
    public void A_bad_operator_in_json_format_is_reported_at_its_key()
    {
        var errors = Errors("""
            access_log:
            - name: envoy.file_access_log
              config:
                path: /tmp/a.log
                json_format:
                  ok: "%PROTOCOL%"
                  nested:
                    bad: "%PROTOCOL(x)%"
            """);

        Assert.Equal([$"{HcmPath}.access_log[0].config.json_format.nested.bad (line 19): PROTOCOL does not take any parameters or length"], errors);
    }

    [Fact]
    public void A_malformed_format_string_is_an_error()
    {
        var errors = Errors("""
            access_log:
            - name: envoy.file_access_log
              config: { path: /tmp/a.log, format: "100% done" }
            """);

        Assert.Single(errors);
        Assert.StartsWith($"{HcmPath}.access_log[0].config.format (line 14): couldn't find a valid command operator at position 3", errors[0]);
    }

    [Fact]
    public void A_file_logger_needs_a_path()
    {
        Assert.Equal(
            [$"{HcmPath}.access_log[0].typed_config.path (line 14): missing required field"],
            Errors("""
                access_log:
                - typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                """));
        Assert.Equal(
            [$"{HcmPath}.access_log[0].typed_config (line 13): missing required field"],
            Errors("""
                access_log:
                - name: envoy.access_loggers.file
                """));
    }

    [Fact]
    public void Two_formats_at_once_are_an_error()
    {
        var errors = Errors("""
            access_log:
            - name: envoy.file_access_log
              config:
                path: /tmp/a.log
                format: "%PROTOCOL%"
                json_format: { p: "%PROTOCOL%" }
            """);

        Assert.Equal([$"{HcmPath}.access_log[0].config.json_format (line 17): only one of format, json_format, typed_json_format, log_format may be set"], errors);
    }

    [Fact]
    public void Log_format_needs_exactly_one_format()
    {
        Assert.Equal(
            [$"{HcmPath}.access_log[0].typed_config.log_format (line 16): one of text_format, json_format, text_format_source is required"],
            Errors("""
                access_log:
                - name: envoy.access_loggers.stdout
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
                    log_format: { omit_empty_values: true }
                """));
        Assert.Equal(
            [$"{HcmPath}.access_log[0].typed_config.log_format.json_format (line 18): only one of text_format, json_format, text_format_source may be set"],
            Errors("""
                access_log:
                - name: envoy.access_loggers.stdout
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
                    log_format:
                      text_format: "%PROTOCOL%"
                      json_format: { p: "%PROTOCOL%" }
                """));
    }

    [Fact]
    public void Omit_empty_values_must_be_a_bool()
    {
        Assert.Equal(
            [$"{HcmPath}.access_log[0].typed_config.log_format.omit_empty_values (line 18): invalid boolean 'sometimes' (expected true or false)"],
            Errors("""
                access_log:
                - name: envoy.access_loggers.stdout
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
                    log_format:
                      text_format: "%PROTOCOL%"
                      omit_empty_values: sometimes
                """));
    }

    [Fact]
    public void An_unsupported_access_logger_is_reported_at_its_type()
    {
        var errors = Errors("""
            access_log:
            - name: envoy.access_loggers.http_grpc
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig
                common_config: { log_name: x }
            """);

        Assert.Equal(
            [$"{HcmPath}.access_log[0].typed_config.@type (line 15): unsupported access logger 'type.googleapis.com/envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig'"],
            errors);
    }

    [Fact]
    public void Corpus_access_logs_load()
    {
        if (SharedFiles.RootPath is not { } shared || !Directory.Exists(Path.Combine(shared, "corpus", "envoy")))
        {
            return;
        }
        foreach (var file in Directory.GetFiles(Path.Combine(shared, "corpus", "envoy"), "*.yaml"))
        {
            if (!File.ReadAllText(file).Contains("access_log:", StringComparison.Ordinal))
            {
                continue;
            }
            var result = ConfigLoader.LoadFile(file);
            Assert.DoesNotContain(result.Errors, e => e.Path.Contains("access_log", StringComparison.Ordinal));
        }
    }
}
