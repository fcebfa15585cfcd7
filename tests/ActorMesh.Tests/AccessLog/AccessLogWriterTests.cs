using System.Diagnostics;
using ActorMesh.AccessLog;
using ActorMesh.Config;
using ActorMesh.Stats;
using ActorMesh.Tests.Support;
using Akka.TestKit.Xunit2;
using Xunit;

namespace ActorMesh.Tests.AccessLog;

public sealed class AccessLogWriterTests : TestKit, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("actormesh-accesslog-").FullName;

    void IDisposable.Dispose()
    {
        Shutdown();
        Directory.Delete(_directory, recursive: true);
    }

    private static long Stat(StatsStore stats, string name) =>
        stats.Snapshot().FirstOrDefault(s => s.Key == name).Value;

    private void AwaitLines(string path, int count) =>
        AwaitAssert(() => Assert.Equal(count, LogFile.ReadLines(path).Length), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));

    [Fact]
    public void File_logger_writes_formatted_lines_to_the_file()
    {
        var path = Path.Combine(_directory, "access.log");
        var stats = new StatsStore();
        var manager = new AccessLogManager(Sys, stats);
        var logger = manager.CreateLogger(new AccessLogConfig("envoy.access_loggers.file", AccessLogSinkKind.File, path, null));

        for (var i = 0; i < 3; i++)
        {
            logger.Log(StreamInfos.Complete());
        }

        AwaitLines(path, 3);
        var expected = AccessLogFormatter.Create(null).Format(StreamInfos.Complete()).TrimEnd('\n');
        Assert.All(LogFile.ReadLines(path), line => Assert.Equal(expected, line));
        AwaitAssert(() => Assert.True(Stat(stats, "filesystem.write_completed") >= 1), TimeSpan.FromSeconds(5));
        Assert.Equal(3, Stat(stats, "filesystem.write_buffered"));
        Assert.Equal(0, Stat(stats, "filesystem.logs_dropped"));
    }

    [Fact]
    public void Loggers_writing_to_one_path_share_one_queue_and_writer()
    {
        var path = Path.Combine(_directory, "shared.log");
        var manager = new AccessLogManager(Sys, new StatsStore());
        var text = manager.CreateLogger(new AccessLogConfig("a", AccessLogSinkKind.File, path, new AccessLogFormatConfig("text %RESPONSE_CODE%\n", null)));
        var json = manager.CreateLogger(new AccessLogConfig("b", AccessLogSinkKind.File, Path.Combine(_directory, ".", "shared.log"),
            new AccessLogFormatConfig(null, new[] { new JsonFormatField("code", JsonFormatValue.Scalar(JsonFormatValueKind.String, "%RESPONSE_CODE%")) }.ToEquatableArray())));

        Assert.Same(text.File, json.File);
        // One writer actor and the filesystem stats scope actor.
        Assert.Equal(2, manager.Actors.Count);

        text.Log(StreamInfos.Complete());
        json.Log(StreamInfos.Complete());

        AwaitLines(path, 2);
        Assert.Equal(["text 204", "{\"code\":204}"], LogFile.ReadLines(path));
    }

    [Fact]
    public void Lines_logged_before_the_writer_stops_still_reach_the_file()
    {
        var path = Path.Combine(_directory, "stop.log");
        var manager = new AccessLogManager(Sys, new StatsStore());
        var logger = manager.CreateLogger(new AccessLogConfig("f", AccessLogSinkKind.File, path, new AccessLogFormatConfig("%BYTES_RECEIVED%\n", null)));

        for (var i = 0; i < 500; i++)
        {
            logger.Log(StreamInfos.Complete());
        }
        foreach (var actor in manager.Actors)
        {
            Watch(actor);
            Sys.Stop(actor);
            ExpectTerminated(actor);
        }

        Assert.Equal(500, LogFile.ReadLines(path).Length);
    }

    [Fact]
    public void A_full_queue_drops_and_counts_without_blocking()
    {
        var stats = new StatsStore();
        // No writer drains this queue: it fills after two lines.
        var file = new AccessLogFile("nowhere", new FilesystemStats(stats.GetOrCreate(FilesystemStats.ScopePrefix)), capacity: 2);

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 10_000; i++)
        {
            file.Write("line\n");
        }
        clock.Stop();

        Assert.Equal(2, Stat(stats, "filesystem.write_buffered"));
        Assert.Equal(9_998, Stat(stats, "filesystem.logs_dropped"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"writing to a full queue took {clock.Elapsed}");
    }

    [Fact]
    public void A_file_that_cannot_be_opened_counts_reopen_failed_and_never_blocks_logging()
    {
        var path = Path.Combine(_directory, "no-such-directory", "access.log");
        var stats = new StatsStore();
        var manager = new AccessLogManager(Sys, stats);
        var logger = manager.CreateLogger(new AccessLogConfig("f", AccessLogSinkKind.File, path, null));

        logger.Log(StreamInfos.Complete());

        AwaitAssert(() => Assert.True(Stat(stats, "filesystem.reopen_failed") >= 1), TimeSpan.FromSeconds(5));
        AwaitAssert(() => Assert.True(Stat(stats, "filesystem.write_failed") >= 1), TimeSpan.FromSeconds(5));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Dev_stdout_paths_share_the_stdout_writer()
    {
        Assert.Equal(AccessLogManager.StdoutDestination,
            AccessLogManager.DestinationOf(new AccessLogConfig("f", AccessLogSinkKind.File, "/dev/stdout", null)));
        Assert.Equal(AccessLogManager.StdoutDestination,
            AccessLogManager.DestinationOf(new AccessLogConfig("s", AccessLogSinkKind.Stdout, null, null)));
        Assert.Equal(AccessLogManager.StderrDestination,
            AccessLogManager.DestinationOf(new AccessLogConfig("e", AccessLogSinkKind.Stderr, null, null)));
        Assert.Equal(Path.GetFullPath("relative.log"),
            AccessLogManager.DestinationOf(new AccessLogConfig("f", AccessLogSinkKind.File, "relative.log", null)));
    }
}
