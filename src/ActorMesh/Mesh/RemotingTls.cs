using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace ActorMesh.Mesh;

/// <summary>
/// Where a node's remoting certificate comes from: a PKCS#12 file with its private key, its password, and the
/// certificates that peers must chain to (a PEM bundle or one DER/PEM certificate; none: the certificates in the
/// PKCS#12 file itself, which is what a mesh sharing one self-signed certificate or carrying its CA in the file needs).
/// </summary>
public sealed record RemotingTlsOptions(string CertificatePath)
{
    public string? Password { get; init; }

    public string? TrustedCaPath { get; init; }

    /// <summary>Akka.Remote's <c>ssl.require-mutual-authentication</c>: the accepting node asks for the client's certificate too.</summary>
    public bool RequireMutualAuthentication { get; init; } = true;
}

/// <summary>
/// Akka.Remote's DotNetty transport over TLS (<c>enable-ssl</c>). The certificate goes in as a
/// <see cref="DotNettySslSetup"/> rather than <c>ssl.certificate.path</c> so that peers are checked against the mesh's
/// own CA instead of the host's trust store (Akka's HOCON path validates against the system roots only), without
/// ever suppressing validation.
/// </summary>
public static class RemotingTls
{
    /// <summary>The scheme of a TLS node's address (<c>akka.ssl.tcp://actormesh@HOST:PORT</c>): seeds must use it.</summary>
    public const string Protocol = "akka.ssl.tcp";

    public static Akka.Configuration.Config Hocon { get; } = Akka.Configuration.ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.enable-ssl = on");

    public static DotNettySslSetup Setup(RemotingTlsOptions options)
    {
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(options.CertificatePath, options.Password);
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"{options.CertificatePath}: the certificate has no private key");
        }
        var anchors = options.TrustedCaPath is { } ca
            ? LoadCertificates(ca)
            : X509CertificateLoader.LoadPkcs12CollectionFromFile(options.CertificatePath, options.Password);
        return new DotNettySslSetup(certificate, suppressValidation: false, options.RequireMutualAuthentication,
            validateCertificateHostname: false, ChainsTo(anchors));
    }

    /// <summary>
    /// Accepts a peer's certificate (the server's, and with mutual authentication the client's) only if it chains to one
    /// of <paramref name="anchors"/>. Host names are not checked: nodes are addressed by IP and may share a certificate.
    /// </summary>
    public static CertificateValidationCallback ChainsTo(X509Certificate2Collection anchors) =>
        (certificate, presented, peer, _, log) =>
        {
            if (certificate is null)
            {
                log.Warning("remoting TLS: {0} presented no certificate", peer);
                return false;
            }
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
            // A private mesh CA publishes no revocation list.
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (presented is not null)
            {
                foreach (var element in presented.ChainElements)
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }
            if (chain.Build(certificate))
            {
                return true;
            }
            log.Warning("remoting TLS: refused {0}'s certificate {1}: {2}", peer, certificate.Subject,
                string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim())));
            return false;
        };

    private static X509Certificate2Collection LoadCertificates(string path)
    {
        var collection = new X509Certificate2Collection();
        if (File.ReadAllText(path).Contains("-----BEGIN", StringComparison.Ordinal))
        {
            collection.ImportFromPemFile(path);
        }
        else
        {
            collection.Add(X509CertificateLoader.LoadCertificateFromFile(path));
        }
        return collection;
    }
}
