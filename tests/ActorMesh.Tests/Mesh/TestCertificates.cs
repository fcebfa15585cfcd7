using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ActorMesh.Tests.Mesh;

/// <summary>
/// A private CA and node certificates it signs, made with <see cref="CertificateRequest"/> (no external tools), written
/// as the files a node is started with: <c>ca.pem</c> and a PKCS#12 file per node with its key and the CA certificate.
/// </summary>
internal sealed class TestCertificates
{
    private readonly X509Certificate2 _ca;

    private TestCertificates(X509Certificate2 ca) => _ca = ca;

    public const string Password = "mesh-test-password";

    public static TestCertificates CreateAuthority(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return new TestCertificates(request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30)));
    }

    /// <summary>Writes the CA certificate (no key) as PEM; the path.</summary>
    public string WriteAuthorityPem(string directory)
    {
        var path = Path.Combine(directory, "ca-" + _ca.Thumbprint[..8] + ".pem");
        File.WriteAllText(path, _ca.ExportCertificatePem());
        return path;
    }

    /// <summary>A node certificate for both TLS roles, signed by this CA, written with its key and the CA as PKCS#12.</summary>
    public string WriteNodePkcs12(string directory, string nodeName)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={nodeName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var sans = new SubjectAlternativeNameBuilder();
        sans.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(sans.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        using var signed = request.Create(_ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        var bundle = new X509Certificate2Collection { withKey, X509CertificateLoader.LoadCertificate(_ca.RawData) };
        var path = Path.Combine(directory, nodeName + ".pfx");
        File.WriteAllBytes(path, bundle.Export(X509ContentType.Pkcs12, Password)!);
        return path;
    }
}
