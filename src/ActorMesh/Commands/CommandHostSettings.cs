using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace ActorMesh.Commands;

/// <summary>
/// The command host's endpoint and limits (HOCON <c>actormesh.cmd</c>, node flags <c>--cmd-host</c>, <c>--cmd-port</c>,
/// <c>--cmd-token-file</c>, env <c>ACTORMESH_CMD_TOKEN</c>). A host bound to anything but a loopback address
/// (<see cref="IPAddress.IsLoopback"/>) must have a token: whoever reaches it could reroute all traffic.
/// </summary>
public sealed record CommandHostSettings(bool Enabled, IPAddress Host, int Port, string? Token)
{
    public const int DefaultPort = 9110;
    public const string TokenVariable = "ACTORMESH_CMD_TOKEN";

    public static CommandHostSettings Default { get; } = new(true, IPAddress.Loopback, DefaultPort, null);

    /// <summary>Console connections at once; one more gets an error frame and is closed.</summary>
    public int MaxConnections { get; init; } = 16;

    /// <summary>Commands running at once on one connection; one more ends at once with an error.</summary>
    public int MaxCommandsPerConnection { get; init; } = 4;

    /// <summary>Frames queued for a client that does not read; past this the connection is closed.</summary>
    public int OutputBufferFrames { get; init; } = 16 * 1024;

    /// <summary>How long a connection may take to say hello.</summary>
    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a command waits for an actor's answer (the ConfigStore, another node).</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether <paramref name="presented"/> is the token, compared in constant time (as hashes, so length leaks nothing).</summary>
    public bool Accepts(string? presented)
    {
        if (Token is null)
        {
            return true;
        }
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(Token));
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(presented ?? string.Empty));
        return CryptographicOperations.FixedTimeEquals(expected, given) && presented is not null;
    }

    /// <summary>
    /// The settings from HOCON (<paramref name="config"/>; null: defaults) under the node's flags (null: not given), or an
    /// error that stops the node. The token comes from <paramref name="tokenFileFlag"/>, else <c>token-file</c>, else the
    /// environment; its file's first line is the token.
    /// </summary>
    public static CommandHostSettings? Resolve(Akka.Configuration.Config? config, string? hostFlag, int? portFlag, string? tokenFileFlag, Func<string, string?> environment, out string? error)
    {
        error = null;
        var section = config?.GetConfig("actormesh.cmd");
        var enabled = section?.GetBoolean("enabled", true) ?? true;
        var hostText = hostFlag ?? section?.GetString("host", null) ?? IPAddress.Loopback.ToString();
        var port = portFlag ?? section?.GetInt("port", DefaultPort) ?? DefaultPort;
        if (!IPAddress.TryParse(hostText, out var host))
        {
            error = $"command host: '{hostText}' is not an IP address";
            return null;
        }
        if (port is < 0 or > 65535)
        {
            error = $"command host: port {port.ToString(CultureInfo.InvariantCulture)} is out of range";
            return null;
        }
        var tokenFile = tokenFileFlag ?? (section?.GetString("token-file", "") is { Length: > 0 } file ? file : null);
        string? token;
        if (tokenFile is not null)
        {
            try
            {
                token = File.ReadLines(tokenFile).FirstOrDefault()?.Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = $"command host: cannot read the token file {tokenFile}: {e.Message}";
                return null;
            }
            if (string.IsNullOrEmpty(token))
            {
                error = $"command host: the token file {tokenFile} is empty";
                return null;
            }
        }
        else
        {
            token = environment(TokenVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment.Trim() : null;
        }
        if (enabled && token is null && !IPAddress.IsLoopback(host))
        {
            error = $"command host: {hostText} is not a loopback address, so it needs a token: --cmd-token-file FILE, "
                + $"actormesh.cmd.token-file or {TokenVariable} (or bind 127.0.0.1, or set actormesh.cmd.enabled = off)";
            return null;
        }
        return new CommandHostSettings(enabled, host, port, token)
        {
            MaxConnections = section?.GetInt("max-connections", Default.MaxConnections) ?? Default.MaxConnections,
            MaxCommandsPerConnection = section?.GetInt("max-commands-per-connection", Default.MaxCommandsPerConnection) ?? Default.MaxCommandsPerConnection,
        };
    }
}
