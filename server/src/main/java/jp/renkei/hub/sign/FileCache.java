package jp.renkei.hub.sign;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What was read from key and CRL files, read again when a file changes, so a renewed seal or a new CRL takes
 * effect without a restart. A file's modification time alone would not tell a change on file systems that keep
 * times to the second (a CRL published twice within a second would keep the first), so its size and identity (a
 * file replaced by a move is a new inode) count too.
 */
final class FileCache<T> {

    interface Reader<T> {
        T read(Path file) throws IOException;
    }

    private record Version(FileTime modified, long size, Object key) {}

    private record Loaded<T>(Version version, T value) {}

    private final Map<Path, Loaded<T>> loaded = new ConcurrentHashMap<>();

    /** The file as {@code reader} reads it, read again only when the file has changed since. */
    T get(Path file, Reader<T> reader) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        Version version = new Version(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
        Loaded<T> cached = loaded.get(file);
        if (cached == null || !cached.version().equals(version)) {
            cached = new Loaded<>(version, reader.read(file));
            loaded.put(file, cached);
        }
        return cached.value();
    }
}
