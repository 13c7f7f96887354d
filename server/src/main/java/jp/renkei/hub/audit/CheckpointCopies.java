package jp.renkei.hub.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The copy of the checkpoints kept outside the store: each node appends every checkpoint it seals, as one JSON line
 * with its seal, to {@code <anchor-dir>/checkpoints-<node>.jsonl} (flushed to disk), and reads every such file in the
 * directory. A person who can change the database can delete or roll back checkpoints there; the lines here still
 * say how far the chain was sealed and what its sealed links were, and a line cannot be forged without the seal.
 */
final class CheckpointCopies {

    /** One line: a checkpoint without its list of hashes (the digest of the list is sealed). */
    record Copy(long block, long to, String last, String digest, String seal, String file) {

        byte[] payload() {
            return AuditCheckpoints.payload(block, to, last, digest);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TAIL = 16 * 1024;

    private final Path dir;
    private final Path own;

    CheckpointCopies(Path dir, String node) {
        this.dir = dir;
        this.own = dir.resolve("checkpoints-" + node + ".jsonl");
    }

    Path directory() {
        return dir;
    }

    void append(AuditCheckpoints.Checkpoint checkpoint) {
        String line = JSON.createObjectNode().put("block", checkpoint.block()).put("to", checkpoint.to()).put("last", checkpoint.last())
                .put("digest", checkpoint.digest()).put("seal", checkpoint.jws()).toString() + "\n";
        try {
            Files.createDirectories(dir);
            try (FileChannel out = FileChannel.open(own, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot append to " + own, e);
        }
    }

    /**
     * Per block, the copy covering the most links: from every line of every node's file ({@code wholeFiles}), or from
     * each file's last line only (what each node sealed last, read cheaply at start-up).
     */
    Map<Long, Copy> newest(boolean wholeFiles) {
        Map<Long, Copy> newest = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            return newest;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "checkpoints-*.jsonl")) {
            for (Path file : files) {
                List<String> lines = wholeFiles ? Files.readAllLines(file, StandardCharsets.US_ASCII) : tail(file);
                for (int i = lines.size() - 1; i >= 0; i--) {
                    Copy copy = parse(lines.get(i), file.getFileName().toString());
                    if (copy == null) {
                        continue;
                    }
                    newest.merge(copy.block(), copy, (a, b) -> b.to() > a.to() ? b : a);
                    if (!wholeFiles) {
                        break;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the checkpoint copies in " + dir, e);
        }
        return newest;
    }

    /** The last lines of a file (the last one may be cut short by a crash while it was written). */
    private static List<String> tail(Path file) throws IOException {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, in.length() - TAIL);
            byte[] bytes = new byte[(int) (in.length() - start)];
            in.seek(start);
            in.readFully(bytes);
            List<String> lines = List.of(new String(bytes, StandardCharsets.US_ASCII).split("\n"));
            return start > 0 && !lines.isEmpty() ? lines.subList(1, lines.size()) : lines;
        }
    }

    /** A line, or null when it is not one (cut short by a crash): it then vouches for nothing. */
    private static Copy parse(String line, String file) {
        try {
            JsonNode node = JSON.readTree(line);
            if (node == null || !node.path("block").canConvertToLong() || !node.path("to").canConvertToLong()
                    || !node.path("last").isTextual() || !node.path("digest").isTextual() || !node.path("seal").isTextual()) {
                return null;
            }
            return new Copy(node.get("block").asLong(), node.get("to").asLong(), node.get("last").asText(),
                    node.get("digest").asText(), node.get("seal").asText(), file);
        } catch (IOException e) {
            return null;
        }
    }
}
