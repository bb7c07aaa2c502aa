package io.ghiblimovies.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate authority of the test's own and the certificates it signs, made with Debian's
 * {@code openssl} into a folder (EC P-256 keys, valid for a day). Without {@code openssl} the tests
 * that need it are skipped, except in CI ({@code CI=true}).
 */
public final class Certificates {

    private static final Path OPENSSL = Path.of(System.getProperty("openssl.binary", "/usr/bin/openssl"));

    private final Path folder;
    private final String name;

    private Certificates(Path folder, String name) {
        this.folder = folder;
        this.name = name;
    }

    /** A new authority named {@code name}: {@code <name>-ca.crt} and its key in {@code folder}. */
    public static Certificates authority(Path folder, String name) {
        DebianPackages.require(Files.isExecutable(OPENSSL), "TLS tests", "no " + OPENSSL + " (apt-get install openssl)");
        Certificates authority = new Certificates(folder, name);
        openssl(folder, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + "-ca.key", "-out", name + "-ca.crt", "-days", "1", "-subj", "/CN=" + name + " test CA");
        return authority;
    }

    /** The authority's certificate (PEM), as a client is given it to trust. */
    public Path certificate() {
        return folder.resolve(name + "-ca.crt");
    }

    /**
     * A server certificate signed by this authority for these subject alternative names
     * ({@code DNS:localhost}, {@code IP:127.0.0.1}): {@code <server>.crt} and {@code <server>.key}.
     */
    public Path[] server(String server, String subjectAlternativeNames) {
        try {
            Files.writeString(folder.resolve(server + ".ext"), "subjectAltName=" + subjectAlternativeNames + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl(folder, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", server + ".key", "-out", server + ".csr", "-subj", "/CN=" + server);
        openssl(folder, "x509", "-req", "-in", server + ".csr", "-CA", name + "-ca.crt", "-CAkey", name + "-ca.key",
                "-CAcreateserial", "-out", server + ".crt", "-days", "1", "-extfile", server + ".ext");
        return new Path[] { folder.resolve(server + ".crt"), folder.resolve(server + ".key") };
    }

    /** Sockets that trust this authority alone, for a test's own connection to a server it signed. */
    public SSLSocketFactory sockets() {
        try (InputStream pem = Files.newInputStream(certificate())) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            trusted.setCertificateEntry(name, CertificateFactory.getInstance("X.509").generateCertificate(pem));
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void openssl(Path folder, String... arguments) {
        List<String> command = new ArrayList<>(List.of(OPENSSL.toString()));
        command.addAll(List.of(arguments));
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Servers.run(folder, Duration.ofSeconds(30), command);
    }
}
