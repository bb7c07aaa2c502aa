package io.ghiblimovies.catalog;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.ghiblimovies.LogFields;
import io.quarkus.logging.Log;

/**
 * The last good catalog on disk ({@code movies.snapshot-path}), so that a restart does not
 * lose it. Writes go to a temporary file in the same folder, forced to disk, then renamed over
 * the snapshot: a crash mid-write leaves the previous snapshot whole. A snapshot that cannot be
 * read (missing, truncated, garbage, another format), or that was read from another API than
 * {@code ghibli.api.url}, is logged and ignored.
 */
@ApplicationScoped
public class CatalogSnapshot {

    private final CatalogFormat format;
    private final Optional<Path> path;
    private volatile boolean writeFailing;

    CatalogSnapshot(CatalogFormat format, MoviesConfig config) {
        this.format = format;
        this.path = config.snapshotEnabled() ? Optional.of(config.snapshotPath().toAbsolutePath()) : Optional.empty();
    }

    /** The catalog last saved, if there is a readable one. */
    public Optional<Catalog> load() {
        if (path.isEmpty() || !Files.exists(path.get())) {
            return Optional.empty();
        }
        Path file = path.get();
        try {
            long size = Files.size(file);
            if (size > CatalogFormat.MAX_BYTES) {
                throw new CatalogFormat.Refused("it is " + size + " bytes, more than the " + CatalogFormat.MAX_BYTES
                        + " a catalog may take");
            }
            Catalog catalog = format.read(Files.readAllBytes(file));
            try (LogFields fields = LogFields.of("snapshot-loaded", "fetchedAt", catalog.fetchedAt())) {
                Log.infof("Loaded the catalog snapshot %s, fetched %s", file, catalog.fetchedAt());
            }
            return Optional.of(catalog);
        } catch (CatalogFormat.Refused e) {
            try (LogFields fields = LogFields.of("snapshot-ignored", "trouble", "refused")) {
                Log.warnf("Ignoring the catalog snapshot %s: %s", file, e.getMessage());
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            try (LogFields fields = LogFields.of("snapshot-ignored", "trouble", "unreadable")) {
                Log.warnf("Ignoring the catalog snapshot %s: it cannot be read (%s)", file, e.getMessage());
            }
            return Optional.empty();
        }
    }

    /** Saves {@code catalog}, replacing the previous snapshot at once. A failure is logged, never thrown. */
    public void save(Catalog catalog) {
        if (path.isEmpty()) {
            return;
        }
        Path file = path.get();
        Path temporary = null;
        try {
            byte[] bytes = format.write(catalog);
            Files.createDirectories(file.getParent());
            temporary = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (writeFailing) {
                try (LogFields fields = LogFields.of("snapshot-written-again")) {
                    Log.infof("The catalog snapshot %s is written again", file);
                }
                writeFailing = false;
            }
        } catch (IOException | RuntimeException e) {
            if (!writeFailing) {
                try (LogFields fields = LogFields.of("snapshot-not-written", "trouble", e.getClass().getSimpleName())) {
                    Log.warnf("Cannot write the catalog snapshot %s (%s); the service goes on without it", file,
                            e.getMessage());
                }
                writeFailing = true;
            }
            deleteQuietly(temporary);
        }
    }

    private static void deleteQuietly(Path temporary) {
        if (temporary == null) {
            return;
        }
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            Log.debugf("Cannot delete %s: %s", temporary, e.getMessage());
        }
    }
}
