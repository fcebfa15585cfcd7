using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorMesh.Tests.Support;

/// <summary>A request head as an HTTP/2 server saw it: protocol, pseudo-headers (as Kestrel exposes them) and fields.</summary>
internal sealed record H2Request(string Protocol, string Method, string Scheme, string Authority, string PathAndQuery, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>
/// A real HTTP/2 server: Kestrel on 127.0.0.1 with <see cref="HttpProtocols.Http2"/> only, which is cleartext HTTP/2
/// with prior knowledge (h2c). Records every request head and counts the connections it accepts.
/// </summary>
internal sealed class H2cUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _connections;

    private H2cUpstream(WebApplication app) => _app = app;

    public int Port { get; private set; }

    public int Connections => Volatile.Read(ref _connections);

    public ConcurrentQueue<H2Request> Requests { get; } = new();

    /// <summary>Starts a server whose every request is answered by <paramref name="handler"/>.</summary>
    public static async Task<H2cUpstream> StartAsync(Func<HttpContext, Task> handler, Action<KestrelServerOptions>? kestrel = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        H2cUpstream? upstream = null;
        builder.WebHost.ConfigureKestrel(options =>
        {
            kestrel?.Invoke(options);
            options.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.Use(next => connection =>
                {
                    Interlocked.Increment(ref upstream!._connections);
                    return next(connection);
                });
            });
        });
        var app = builder.Build();
        upstream = new H2cUpstream(app);
        app.Run(context =>
        {
            var request = context.Request;
            upstream.Requests.Enqueue(new H2Request(
                request.Protocol,
                request.Method,
                request.Scheme,
                request.Host.Value ?? string.Empty,
                request.Path.Value + request.QueryString.Value,
                request.Headers.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? string.Empty))).ToArray()));
            return handler(context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        upstream.Port = new Uri(address).Port;
        return upstream;
    }

    /// <summary>A server answering every request with 200 and <paramref name="body"/> (with content-length).</summary>
    public static Task<H2cUpstream> Answering(string body) => StartAsync(context =>
    {
        context.Response.ContentLength = System.Text.Encoding.UTF8.GetByteCount(body);
        return context.Response.WriteAsync(body);
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
