using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace ActorMesh.Tests.Support;

/// <summary>
/// Etsy's statsd (the npm package <c>.ci/run</c> installs into <c>$ACTORMESH_TEST_STATSD_DIR</c>) run by node on
/// loopback: UDP for metrics, and its management console on TCP, whose <c>counters</c>, <c>gauges</c> and <c>timers</c>
/// commands print what it has aggregated. Stopped by its PID when disposed.
/// </summary>
internal sealed class StatsdServer : IDisposable
{
    public const string DirVariable = "ACTORMESH_TEST_STATSD_DIR";

    private readonly Process _process;
    private readonly string _configPath;
    private readonly StringBuilder _output = new();

    private StatsdServer(Process process, string configPath, int port, int managementPort)
    {
        _process = process;
        _configPath = configPath;
        Port = port;
        ManagementPort = managementPort;
        _process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Port { get; }

    public int ManagementPort { get; }

    public string Output { get { lock (_output) { return _output.ToString(); } } }

    /// <summary>
    /// Starts statsd and waits for its management port; null (after saying why) when statsd is not installed and this
    /// is not CI, where a missing statsd fails the test.
    /// </summary>
    public static async Task<StatsdServer?> StartAsync(ITestOutputHelper output, TimeSpan timeout)
    {
        var dir = Environment.GetEnvironmentVariable(DirVariable);
        var script = dir is null ? null : Path.Combine(dir, "node_modules", "statsd", "stats.js");
        if (script is null || !File.Exists(script))
        {
            var message = $"statsd is not installed: set {DirVariable} to a folder holding node_modules/statsd (.ci/run does: npm install --prefix DIR statsd)";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(message);
            }
            output.WriteLine("SKIPPED locally: " + message);
            return null;
        }
        var port = FreePort(SocketType.Dgram, ProtocolType.Udp);
        var managementPort = FreePort(SocketType.Stream, ProtocolType.Tcp);
        var configPath = Path.Combine(Path.GetTempPath(), $"actormesh-statsd-{Guid.NewGuid():N}.js");
        // A flush interval longer than any test, so the console shows everything received since start.
        await File.WriteAllTextAsync(configPath,
            $"{{ port: {port}, address: \"127.0.0.1\", mgmt_address: \"127.0.0.1\", mgmt_port: {managementPort}, "
            + "flushInterval: 600000, backends: [\"./backends/console\"] }\n");
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = Path.GetDirectoryName(script)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(configPath);
        var server = new StatsdServer(Process.Start(info)!, configPath, port, managementPort);
        try
        {
            await server.WaitForManagementPort(timeout);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>One management command (<c>counters</c>, <c>gauges</c>, <c>timers</c>): its answer up to <c>END</c>.</summary>
    public async Task<string> Command(string command, CancellationToken token)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ManagementPort, token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\n"), token);
        var answer = new StringBuilder();
        var buffer = new byte[8192];
        while (!answer.ToString().Contains("END\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, token);
            if (n == 0)
            {
                break;
            }
            answer.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        return answer.ToString();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
        File.Delete(_configPath);
    }

    private async Task WaitForManagementPort(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("statsd exited: " + Output);
            }
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, ManagementPort, cts.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cts.Token);
            }
        }
    }

    private static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
