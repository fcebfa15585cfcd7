using System.Runtime.InteropServices;
using ActorMesh.Admin;
using ActorMesh.Config;
using ActorMesh.Hosting;
using ActorMesh.Mesh;

namespace ActorMesh.Node;

/// <summary>
/// <c>--watch</c>: applies the <c>-c</c> file as the next config version when it changes on disk or the node gets
/// SIGHUP. The file is validated first; a broken edit is logged and ignored, and the node keeps serving.
/// </summary>
internal sealed class ConfigFileWatcher : IDisposable
{
    /// <summary>Editors write a file in several steps (truncate, write, rename): one reload after they settle.</summary>
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);

    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(60);

    private readonly string _path;
    private readonly ActorMeshServer _server;
    private readonly NodeOverrides _overrides;
    private readonly IConfigAuthority? _authority;
    private readonly FileSystemWatcher _watcher;
    private readonly PosixSignalRegistration _sighup;
    private readonly SemaphoreSlim _reloads = new(1, 1);
    private readonly Lock _gate = new();
    private Timer? _debounce;

    /// <param name="authority">Mesh mode: the file goes to the ConfigStore singleton, and comes back as a version of the routing table.</param>
    public ConfigFileWatcher(string path, ActorMeshServer server, NodeOverrides overrides, IConfigAuthority? authority)
    {
        _path = Path.GetFullPath(path);
        _server = server;
        _overrides = overrides;
        _authority = authority;
        // The directory, not the file: an editor's save-by-rename replaces the file a watch on it would follow.
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!, Path.GetFileName(_path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, _) => Schedule();
        _watcher.Created += (_, _) => Schedule();
        _watcher.Renamed += (_, _) => Schedule();
        _watcher.EnableRaisingEvents = true;
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            // Handled: SIGHUP means "reload", not the default "terminate".
            context.Cancel = true;
            _ = ReloadAsync("SIGHUP");
        });
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _sighup.Dispose();
        lock (_gate)
        {
            _debounce?.Dispose();
        }
    }

    private void Schedule()
    {
        lock (_gate)
        {
            _debounce?.Dispose();
            _debounce = new Timer(_ => _ = ReloadAsync("file change"), null, Debounce, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The store answers with the version (the same one when the file did not change) or the errors.</summary>
    private async Task SendToStoreAsync(string trigger)
    {
        var answer = await _authority!.ApplyAsync(await File.ReadAllTextAsync(_path), "watch");
        if (answer.TimedOut)
        {
            Console.Error.WriteLine($"actormesh: {trigger}: the config store did not answer in time for {_path}");
        }
        else if (answer.Version is { } version)
        {
            Console.WriteLine(answer.Created
                ? $"actormesh: {trigger}: {_path} stored as config version {version}; it propagates to every node"
                : $"actormesh: {trigger}: {_path} is the current config version {version} already");
        }
        else
        {
            Console.Error.WriteLine($"actormesh: {trigger}: the config store refused {_path}:");
            foreach (var error in answer.Errors)
            {
                Console.Error.WriteLine("  " + error);
            }
        }
    }

    private async Task ReloadAsync(string trigger)
    {
        await _reloads.WaitAsync();
        try
        {
            ConfigLoadResult loaded;
            try
            {
                loaded = ConfigLoader.LoadFile(_path);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"actormesh: {trigger}: cannot read {_path}: {e.Message}; still serving version {_server.Served.Status.VersionInfo}");
                return;
            }
            if (!loaded.IsValid)
            {
                Console.Error.WriteLine($"actormesh: {trigger}: {_path} is invalid, ignored; still serving version {_server.Served.Status.VersionInfo}:");
                foreach (var error in loaded.Errors)
                {
                    Console.Error.WriteLine("  " + error);
                }
                return;
            }
            if (_authority is not null)
            {
                await SendToStoreAsync(trigger);
                return;
            }
            var config = _overrides.Apply(loaded.Config!);
            if (config == _server.Served.Current.Config)
            {
                // Saved without a change (or one event of several): no new version, as xDS does not push one.
                return;
            }
            switch (await _server.ApplyAsync(config, "file", ApplyTimeout))
            {
                case ConfigUpdateProtocol.VersionApplied applied:
                    Console.WriteLine($"actormesh: {trigger}: config version {applied.Status.VersionInfo} applied from {_path}");
                    break;
                case ConfigUpdateProtocol.VersionRejected rejected:
                    Console.Error.WriteLine($"actormesh: {trigger}: config version {rejected.Nack.Version} rejected, still serving version {rejected.Status.VersionInfo}: {rejected.Nack.Reason}");
                    break;
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"actormesh: {trigger}: reload failed: {e.Message}");
        }
        finally
        {
            _reloads.Release();
        }
    }
}
