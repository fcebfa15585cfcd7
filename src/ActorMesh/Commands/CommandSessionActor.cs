using ActorMesh.Commands.Protocol;
using Akka.Actor;
using Akka.Event;
using Error = ActorMesh.Commands.Protocol.CommandMessages.Error;
using Akka.IO;
using static ActorMesh.Commands.CommandSessionProtocol;
using static ActorMesh.Commands.Protocol.CommandMessages;

namespace ActorMesh.Commands;

/// <summary>
/// One console connection: waits for <c>hello</c> (version, token), answers <c>welcome</c> with the palettes, then runs
/// each <c>run</c> as a child actor (at most <see cref="CommandHostSettings.MaxCommandsPerConnection"/> at once) whose
/// output it frames for the client, and stops one on <c>cancel</c>. A bad frame, a wrong version or token gets an error
/// frame and the connection is closed; a failing command only ends with its error and a non-zero status.
/// </summary>
public sealed class CommandSessionActor : ReceiveActor, IWithTimers
{
    /// <summary>Status of a command the host refused before running it (unknown, bad arguments), as a shell's usage error.</summary>
    public const int UsageStatus = 2;

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CommandRegistry _registry;
    private readonly CommandHostSettings _settings;
    private readonly string _node;
    private readonly IActorRef _client;
    private readonly Dictionary<long, IActorRef> _running = new();
    private bool _closing;

    /// <param name="client">The outbound stream's actor: each <see cref="ByteString"/> told to it is written.</param>
    public CommandSessionActor(CommandRegistry registry, CommandHostSettings settings, string node, IActorRef client)
    {
        _registry = registry;
        _settings = settings;
        _node = node;
        _client = client;
        Receive<StreamStarted>(_ => Sender.Tell(Ack.Instance));
        Receive<Hello>(OnHello);
        Receive<HelloTimedOut>(_ => Close("no hello in time"));
        ReceiveCommon();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(CommandRegistry registry, CommandHostSettings settings, string node, IActorRef client) =>
        Akka.Actor.Props.Create(() => new CommandSessionActor(registry, settings, node, client));

    protected override void PreStart() => Timers.StartSingleTimer(nameof(HelloTimedOut), HelloTimedOut.Instance, _settings.HelloTimeout);

    protected override void PostStop() => _client.Tell(new Status.Success(null));

    private void OnHello(Hello hello)
    {
        Sender.Tell(Ack.Instance);
        Timers.Cancel(nameof(HelloTimedOut));
        if (hello.Version != ProtocolVersion)
        {
            Close($"protocol version {hello.Version} is not supported; this host speaks version {ProtocolVersion}");
            return;
        }
        if (!_settings.Accepts(hello.Token))
        {
            _log.Warning("Command host: a connection presented {0} token; refused", hello.Token is null ? "no" : "a wrong");
            Close(hello.Token is null ? "this command host requires a token" : "wrong token");
            return;
        }
        Send(new Welcome(ProtocolVersion, _node, _registry.Palettes));
        Become(Serving);
    }

    private void Serving()
    {
        Receive<Run>(run =>
        {
            Sender.Tell(Ack.Instance);
            Start(run);
        });
        Receive<Cancel>(cancel =>
        {
            Sender.Tell(Ack.Instance);
            if (_running.Remove(cancel.Id, out var command))
            {
                Context.Stop(command);
                Send(new End(cancel.Id, 0));
            }
        });
        Receive<Hello>(_ =>
        {
            Sender.Tell(Ack.Instance);
            Close("hello was already said");
        });
        Receive<Emit>(emit =>
        {
            // A cancelled command's last frames may still be on their way: dropped.
            if (_running.ContainsKey(emit.Id))
            {
                Send(emit.Message);
            }
        });
        Receive<Finished>(finished =>
        {
            if (_running.Remove(finished.Id, out var command))
            {
                Context.Unwatch(command);
                Context.Stop(command);
                Send(new End(finished.Id, finished.Status));
            }
        });
        Receive<Terminated>(terminated =>
        {
            var id = _running.FirstOrDefault(kv => kv.Value.Equals(terminated.ActorRef)).Key;
            if (_running.Remove(id))
            {
                Send(new Error(id, "the command stopped without an answer"));
                Send(new End(id, 1));
            }
        });
        ReceiveCommon();
    }

    private void ReceiveCommon()
    {
        Receive<BadFrame>(bad =>
        {
            Sender.Tell(Ack.Instance);
            Close(bad.Reason);
        });
        Receive<StreamEnded>(_ => Context.Stop(Self));
        // A frame type only the host sends (welcome, row, …) is not for the host to receive.
        ReceiveAny(message =>
        {
            Sender.Tell(Ack.Instance);
            Close(message is Run or Cancel ? "hello first" : "a client does not send this frame type");
        });
    }

    private void Start(Run run)
    {
        var files = run.Files ?? new Dictionary<string, string>();
        var error = "a run frame's \"command\" is [module, command]";
        var invocation = run.Command is [var module, var command]
            ? CommandParser.Validate(_registry.Palettes, new CommandInvocation(module, command, run.Args ?? new Dictionary<string, string>()), files.Keys.ToHashSet(StringComparer.Ordinal), out error)
            : null;
        if (run.Id <= 0 || _running.ContainsKey(run.Id))
        {
            Send(new Error(run.Id, $"command id {run.Id} is not a new positive number on this connection"));
            Send(new End(run.Id, UsageStatus));
            return;
        }
        if (invocation is null)
        {
            Send(new Error(run.Id, error ?? "invalid command"));
            Send(new End(run.Id, UsageStatus));
            return;
        }
        if (_running.Count >= _settings.MaxCommandsPerConnection)
        {
            Send(new Error(run.Id, $"at most {_settings.MaxCommandsPerConnection} commands run at once on a connection"));
            Send(new End(run.Id, 1));
            return;
        }
        var request = new CommandRequest(run.Id, invocation, files);
        var actor = Context.ActorOf(_registry.Handler(invocation).Start(request, new CommandOutput(Self, run.Id)), "run-" + run.Id);
        Context.Watch(actor);
        _running[run.Id] = actor;
    }

    private void Send(object message)
    {
        if (_closing)
        {
            return;
        }
        var frame = CommandFrames.TryEncode(message)
            ?? CommandFrames.Encode(new Error(message is Row r ? r.Id : message is Line l ? l.Id : 0, $"an output frame exceeded {CommandFrames.MaxFrameLength} bytes and was left out"));
        _client.Tell(ByteString.FromBytes(frame));
    }

    /// <summary>An error frame for the connection (id 0), then the outbound stream completes, which closes the socket.</summary>
    private void Close(string reason)
    {
        Send(new Error(0, reason));
        _closing = true;
        foreach (var command in _running.Values)
        {
            Context.Stop(command);
        }
        _running.Clear();
        _client.Tell(new Status.Success(null));
        Become(() =>
        {
            Receive<StreamEnded>(_ => Context.Stop(Self));
            Receive<Terminated>(_ => { });
            ReceiveAny(_ => Sender.Tell(Ack.Instance));
        });
    }
}
