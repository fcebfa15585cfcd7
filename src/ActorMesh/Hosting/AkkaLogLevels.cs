using ActorMesh.Admin;
using Akka.Actor;
using Akka.Event;

namespace ActorMesh.Hosting;

/// <summary>
/// <c>/logging</c> over Akka's event stream, through which everything a node logs passes: one logger, <c>akka</c>,
/// whose level is the stream's. Envoy's <c>trace</c> is Akka's debug and <c>critical</c> its error; Akka has no
/// <c>off</c>. A lower level reaches log adapters created from then on (each connection's), as Akka caches the
/// enabled levels per adapter; a higher one silences every adapter at once.
/// </summary>
internal sealed class AkkaLogLevels : ILogLevels
{
    public const string LoggerName = "akka";

    private readonly ActorSystem _system;

    public AkkaLogLevels(ActorSystem system) => _system = system;

    public IReadOnlyList<KeyValuePair<string, string>> Loggers =>
        [KeyValuePair.Create(LoggerName, Name(_system.EventStream.LogLevel))];

    public bool TrySetLevel(string? logger, string level)
    {
        if (logger is not null && logger != LoggerName || Parse(level) is not { } akkaLevel)
        {
            return false;
        }
        _system.EventStream.SetLogLevel(akkaLevel);
        return true;
    }

    private static LogLevel? Parse(string level) => level switch
    {
        "trace" or "debug" => LogLevel.DebugLevel,
        "info" => LogLevel.InfoLevel,
        "warning" => LogLevel.WarningLevel,
        "error" or "critical" => LogLevel.ErrorLevel,
        _ => null,
    };

    private static string Name(LogLevel level) => level switch
    {
        LogLevel.DebugLevel => "debug",
        LogLevel.InfoLevel => "info",
        LogLevel.WarningLevel => "warning",
        _ => "error",
    };
}
