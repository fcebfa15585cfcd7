using System.Text.Json;
using ActorMesh.AccessLog;
using ActorMesh.Config;
using ActorMesh.Http;
using Xunit;

namespace ActorMesh.Tests.AccessLog;

public sealed class JsonFormatterTests
{
    private static JsonFormatField Text(string key, string format) => new(key, JsonFormatValue.Scalar(JsonFormatValueKind.String, format));

    private static readonly EquatableArray<JsonFormatField> Fields = new JsonFormatField[]
    {
        Text("start_time", "%START_TIME%"),
        Text("method", "%REQ(:METHOD)%"),
        Text("path", "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%"),
        Text("protocol", "%PROTOCOL%"),
        Text("response_code", "%RESPONSE_CODE%"),
        Text("response_flags", "%RESPONSE_FLAGS%"),
        Text("bytes_received", "%BYTES_RECEIVED%"),
        Text("bytes_sent", "%BYTES_SENT%"),
        Text("duration", "%DURATION%"),
        Text("upstream_host", "%UPSTREAM_HOST%"),
        Text("summary", "%REQ(:METHOD)% %RESPONSE_CODE% \"%UPSTREAM_CLUSTER%\""),
        Text("literal", "constant"),
        new("version", JsonFormatValue.Scalar(JsonFormatValueKind.Number, "2")),
        new("sampled", JsonFormatValue.Scalar(JsonFormatValueKind.Bool, "true")),
        new("nothing", JsonFormatValue.Scalar(JsonFormatValueKind.Null, "null")),
        new("upstream", JsonFormatValue.Object(new[] { Text("cluster", "%UPSTREAM_CLUSTER%"), Text("route", "%ROUTE_NAME%") }.ToEquatableArray())),
    }.ToEquatableArray();

    private static JsonElement Parse(string line)
    {
        Assert.EndsWith("}\n", line, StringComparison.Ordinal);
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        return JsonDocument.Parse(line).RootElement;
    }

    [Fact]
    public void One_object_per_line_with_envoys_types()
    {
        var json = Parse(AccessLogFormatter.Create(new AccessLogFormatConfig(null, Fields)).Format(StreamInfos.Complete()));

        Assert.Equal("2016-04-15T20:17:00.310Z", json.GetProperty("start_time").GetString());
        Assert.Equal("POST", json.GetProperty("method").GetString());
        Assert.Equal("/api/v1/locations?limit=5", json.GetProperty("path").GetString());
        Assert.Equal("HTTP/1.1", json.GetProperty("protocol").GetString());
        Assert.Equal(JsonValueKind.Number, json.GetProperty("response_code").ValueKind);
        Assert.Equal(204, json.GetProperty("response_code").GetInt32());
        Assert.Equal("-", json.GetProperty("response_flags").GetString());
        Assert.Equal(154, json.GetProperty("bytes_received").GetInt64());
        Assert.Equal(0, json.GetProperty("bytes_sent").GetInt64());
        Assert.Equal(226, json.GetProperty("duration").GetInt64());
        Assert.Equal("10.0.0.1:8080", json.GetProperty("upstream_host").GetString());
        Assert.Equal("POST 204 \"location_service\"", json.GetProperty("summary").GetString());
        Assert.Equal("constant", json.GetProperty("literal").GetString());
        Assert.Equal(2, json.GetProperty("version").GetInt32());
        Assert.True(json.GetProperty("sampled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("nothing").ValueKind);
        Assert.Equal("location_service", json.GetProperty("upstream").GetProperty("cluster").GetString());
        Assert.Equal("locations", json.GetProperty("upstream").GetProperty("route").GetString());
        Assert.Equal(Fields.Select(f => f.Key), json.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Missing_values_are_null_alone_and_dashes_inside_text()
    {
        var json = Parse(AccessLogFormatter.Create(new AccessLogFormatConfig(null, Fields)).Format(StreamInfos.Empty()));

        Assert.Equal(JsonValueKind.Null, json.GetProperty("method").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("duration").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("upstream_host").ValueKind);
        Assert.Equal(0, json.GetProperty("response_code").GetInt32());
        Assert.Equal("- 0 \"-\"", json.GetProperty("summary").GetString());
    }

    [Fact]
    public void Omit_empty_values_drops_missing_keys()
    {
        var json = Parse(AccessLogFormatter.Create(new AccessLogFormatConfig(null, Fields, OmitEmptyValues: true)).Format(StreamInfos.Empty()));

        var names = json.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.DoesNotContain("method", names);
        Assert.DoesNotContain("duration", names);
        Assert.DoesNotContain("nothing", names);
        Assert.Contains("response_code", names);
        Assert.Contains("start_time", names);
        Assert.Empty(json.GetProperty("upstream").EnumerateObject());
    }

    [Fact]
    public void Strings_are_escaped()
    {
        var info = StreamInfos.Complete();
        info.Request!.Headers.Set("User-Agent", "quote\" backslash\\ newline\n tab\t bell\u0007 é");
        var fields = new[] { Text("ua", "%REQ(USER-AGENT)%"), Text("key \"quoted\"", "x") }.ToEquatableArray();

        var json = Parse(AccessLogFormatter.Create(new AccessLogFormatConfig(null, fields)).Format(info));

        Assert.Equal("quote\" backslash\\ newline\n tab\t bell\u0007 é", json.GetProperty("ua").GetString());
        Assert.Equal("x", json.GetProperty("key \"quoted\"").GetString());
    }

    [Fact]
    public void Truncation_applies_inside_json_too()
    {
        var fields = new[] { Text("ua", "%REQ(USER-AGENT):3%") }.ToEquatableArray();

        var line = AccessLogFormatter.Create(new AccessLogFormatConfig(null, fields)).Format(StreamInfos.Complete());

        Assert.Equal("{\"ua\":\"nsq\"}\n", line);
    }
}
