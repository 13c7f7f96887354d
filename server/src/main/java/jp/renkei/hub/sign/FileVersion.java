package jp.renkei.hub.sign;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * Tells one state of a key or CRL file from the next, so it is read again when it changes: its modification
 * time alone would not do on file systems that keep times to the second (a CRL published twice within a second
 * would keep the first), so the size and the file's identity (a file replaced by a move is a new inode) count too.
 */
record FileVersion(FileTime modified, long size, Object key) {

    static FileVersion of(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return new FileVersion(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
    }
}
