using System.Text.RegularExpressions;
using ActorMesh.AccessLog.Filters;
using ActorMesh.Config;
using ActorMesh.Runtime;
using ActorMesh.Stats;
using Akka.Actor;

namespace ActorMesh.AccessLog;

/// <summary>
/// Envoy's AccessLogManager: builds <see cref="AccessLogger"/>s from config and keeps one
/// <see cref="AccessLogFile"/> and <see cref="AccessLogWriterActor"/> per destination, so every listener logging to
/// the same path (or to stdout) shares one queue and one file handle. Used while a node starts; the actors it made
/// are stopped with the node's other actors.
/// </summary>
public sealed partial class AccessLogManager
{
    public const string StdoutDestination = "stdout";
    public const string StderrDestination = "stderr";

    private readonly IActorRefFactory _actors;
    private readonly StatsStore _stats;
    private readonly int _queueCapacity;
    private readonly Dictionary<string, AccessLogFile> _files = new(StringComparer.Ordinal);
    private readonly List<IActorRef> _owned = [];
    private readonly Lock _gate = new();
    private FilesystemStats? _filesystemStats;
    private static long _names;

    public AccessLogManager(IActorRefFactory actors, StatsStore stats, int queueCapacity = AccessLogFile.DefaultCapacity)
    {
        _actors = actors;
        _stats = stats;
        _queueCapacity = queueCapacity;
    }

    /// <summary>The writer actors and the <c>filesystem.</c> stats scope actor made so far.</summary>
    public IReadOnlyList<IActorRef> Actors
    {
        get
        {
            lock (_gate)
            {
                return _owned.ToArray();
            }
        }
    }

    /// <param name="runtime">The node's runtime, read by the filters' runtime keys; null: every key keeps its default.</param>
    public IReadOnlyList<AccessLogger> CreateLoggers(IEnumerable<AccessLogConfig> configs, RuntimeLoader? runtime = null) =>
        configs.Select(config => CreateLogger(config, runtime)).ToArray();

    public AccessLogger CreateLogger(AccessLogConfig config, RuntimeLoader? runtime = null) =>
        new(config.Name, AccessLogFormatter.Create(config.Format), GetOrCreateFile(DestinationOf(config)),
            config.Filter is { } filter ? AccessLogFilter.Create(filter, runtime) : null);

    /// <summary>The shared destination: a full file path, <see cref="StdoutDestination"/> or <see cref="StderrDestination"/>.</summary>
    public AccessLogFile GetOrCreateFile(string destination)
    {
        lock (_gate)
        {
            if (_files.TryGetValue(destination, out var existing))
            {
                return existing;
            }
            if (_filesystemStats is null)
            {
                _filesystemStats = new FilesystemStats(_stats.GetOrCreate(FilesystemStats.ScopePrefix));
                _owned.Add(_actors.ActorOf(StatsScopeActor.Props(_stats, FilesystemStats.ScopePrefix), UniqueName("stats-filesystem")));
            }
            var file = new AccessLogFile(destination, _filesystemStats, _queueCapacity);
            var (open, owns) = Opener(destination);
            _owned.Add(_actors.ActorOf(AccessLogWriterActor.Props(file, open, owns), UniqueName("access-log-" + destination)));
            _files.Add(destination, file);
            return file;
        }
    }

    /// <summary>
    /// stdout and stderr loggers, and file loggers writing to <c>/dev/stdout</c> or <c>/dev/stderr</c> (as many Envoy
    /// configs do), share the process's stream; a file path is made absolute so two spellings share one writer.
    /// </summary>
    public static string DestinationOf(AccessLogConfig config) => config.Sink switch
    {
        AccessLogSinkKind.Stdout => StdoutDestination,
        AccessLogSinkKind.Stderr => StderrDestination,
        _ => config.Path is { } path ? DestinationOfPath(path) : throw new ArgumentException("a file access log needs a path", nameof(config)),
    };

    /// <summary>The shared destination of a file path (an access log's, a health checker's <c>event_log_path</c>).</summary>
    public static string DestinationOfPath(string path) => path switch
    {
        "/dev/stdout" or "/dev/fd/1" => StdoutDestination,
        "/dev/stderr" or "/dev/fd/2" => StderrDestination,
        _ => Path.GetFullPath(path),
    };

    private static (Func<Stream> Open, bool Owns) Opener(string destination) => destination switch
    {
        StdoutDestination => (Console.OpenStandardOutput, false),
        StderrDestination => (Console.OpenStandardError, false),
        _ => (() => new FileStream(destination, new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            // Readers (tail -f, log shippers) and rotation (rename, delete) must not be locked out.
            Share = FileShare.ReadWrite | FileShare.Delete,
            // The writer's StreamWriter buffers; a second buffer would only copy.
            BufferSize = 0,
        }), true),
    };

    private static string UniqueName(string name) =>
        UnsafeChars().Replace(name, "_") + "-" + Interlocked.Increment(ref _names);

    [GeneratedRegex("[^A-Za-z0-9_-]")]
    private static partial Regex UnsafeChars();
}
