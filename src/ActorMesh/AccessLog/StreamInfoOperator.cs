using System.Diagnostics;
using System.Text;
using ActorMesh.Http;

namespace ActorMesh.AccessLog;

/// <summary>The command operators that read one <see cref="StreamInfo"/> field and take no parameter.</summary>
internal enum StreamInfoField
{
    Protocol,
    ResponseCode,
    ResponseCodeDetails,
    ResponseFlags,
    BytesReceived,
    BytesSent,
    Duration,
    ResponseDuration,
    UpstreamHost,
    UpstreamCluster,
    DownstreamRemoteAddress,
    DownstreamRemoteAddressWithoutPort,
    DownstreamLocalAddress,
    DownstreamLocalAddressWithoutPort,
    DownstreamLocalPort,
    RouteName,
    LocalReplyBody,
}

internal sealed class StreamInfoOperator(StreamInfoField kind) : FormatOperator
{
    /// <summary>Envoy's operator names for each field.</summary>
    public static readonly IReadOnlyDictionary<string, StreamInfoField> Names = new Dictionary<string, StreamInfoField>(StringComparer.Ordinal)
    {
        ["PROTOCOL"] = StreamInfoField.Protocol,
        ["RESPONSE_CODE"] = StreamInfoField.ResponseCode,
        ["RESPONSE_CODE_DETAILS"] = StreamInfoField.ResponseCodeDetails,
        ["RESPONSE_FLAGS"] = StreamInfoField.ResponseFlags,
        ["BYTES_RECEIVED"] = StreamInfoField.BytesReceived,
        ["BYTES_SENT"] = StreamInfoField.BytesSent,
        ["DURATION"] = StreamInfoField.Duration,
        ["RESPONSE_DURATION"] = StreamInfoField.ResponseDuration,
        ["UPSTREAM_HOST"] = StreamInfoField.UpstreamHost,
        ["UPSTREAM_CLUSTER"] = StreamInfoField.UpstreamCluster,
        ["DOWNSTREAM_REMOTE_ADDRESS"] = StreamInfoField.DownstreamRemoteAddress,
        ["DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT"] = StreamInfoField.DownstreamRemoteAddressWithoutPort,
        ["DOWNSTREAM_LOCAL_ADDRESS"] = StreamInfoField.DownstreamLocalAddress,
        ["DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT"] = StreamInfoField.DownstreamLocalAddressWithoutPort,
        ["DOWNSTREAM_LOCAL_PORT"] = StreamInfoField.DownstreamLocalPort,
        ["ROUTE_NAME"] = StreamInfoField.RouteName,
        ["LOCAL_REPLY_BODY"] = StreamInfoField.LocalReplyBody,
    };

    public override bool IsNumeric => kind is StreamInfoField.ResponseCode or StreamInfoField.BytesReceived
        or StreamInfoField.BytesSent or StreamInfoField.Duration or StreamInfoField.ResponseDuration;

    public override long? Number(StreamInfo info) => kind switch
    {
        // Envoy prints 0 when no response was sent (a downstream reset), not "-".
        StreamInfoField.ResponseCode => info.ResponseCode,
        StreamInfoField.BytesReceived => info.BytesReceived,
        StreamInfoField.BytesSent => info.BytesSent,
        // Whole milliseconds, truncated, as Envoy's duration_cast<milliseconds>.
        StreamInfoField.Duration => info.Duration is { } d ? (long)d.TotalMilliseconds : null,
        StreamInfoField.ResponseDuration => info.FirstUpstreamByteTimestamp == 0
            ? null
            : (long)Stopwatch.GetElapsedTime(info.StartTimestamp, info.FirstUpstreamByteTimestamp).TotalMilliseconds,
        _ => null,
    };

    public override bool Append(StreamInfo info, StringBuilder output)
    {
        if (IsNumeric)
        {
            if (Number(info) is not { } number)
            {
                return false;
            }
            output.Append(number);
            return true;
        }
        switch (kind)
        {
            case StreamInfoField.Protocol:
                if (info.Request is not { } request)
                {
                    return false;
                }
                output.Append(request.Version == HttpVersion.Http10 ? "HTTP/1.0" : "HTTP/1.1");
                return true;
            case StreamInfoField.ResponseFlags:
                ResponseFlagCodes.Append(info.Flags, output);
                return true;
            case StreamInfoField.ResponseCodeDetails:
                return AppendText(info.ResponseCodeDetails, output);
            case StreamInfoField.UpstreamCluster:
                return AppendText(info.UpstreamCluster, output);
            case StreamInfoField.RouteName:
                return AppendText(info.RouteName, output);
            case StreamInfoField.LocalReplyBody:
                // Envoy's value is a string even when empty (outside a local reply), never "-".
                output.Append(info.LocalReplyBody);
                return true;
            case StreamInfoField.UpstreamHost:
                return AddressFormat.Append(info.UpstreamHost, withPort: true, output);
            case StreamInfoField.DownstreamRemoteAddress:
                return AddressFormat.Append(info.DownstreamRemoteAddress, withPort: true, output);
            case StreamInfoField.DownstreamRemoteAddressWithoutPort:
                return AddressFormat.Append(info.DownstreamRemoteAddress, withPort: false, output);
            case StreamInfoField.DownstreamLocalAddress:
                return AddressFormat.Append(info.DownstreamLocalAddress, withPort: true, output);
            case StreamInfoField.DownstreamLocalAddressWithoutPort:
                return AddressFormat.Append(info.DownstreamLocalAddress, withPort: false, output);
            case StreamInfoField.DownstreamLocalPort:
                if (info.DownstreamLocalAddress is not System.Net.IPEndPoint local)
                {
                    return false;
                }
                output.Append(local.Port);
                return true;
            default:
                return false;
        }
    }

    // Envoy prints an empty route name or cluster as unspecified.
    private static bool AppendText(string? text, StringBuilder output)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        output.Append(text);
        return true;
    }
}
