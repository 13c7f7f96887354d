package jp.renkei.hub.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The copy of the checkpoints kept outside the store: each node appends every checkpoint it seals, as one JSON line
 * with its seal, to {@code <anchor-dir>/checkpoints-<node>.jsonl} (flushed to disk), and reads every such file in the
 * directory, which all nodes share. A person who can change the database can delete or roll back checkpoints there;
 * the lines here still say how far the chain was sealed and what its sealed links were, and a line cannot be forged
 * without the seal. Files are read line by line, keeping one line per block and file.
 */
final class CheckpointCopies {

    /** One line: a checkpoint without its list of hashes (the digest of the list is sealed). */
    record Copy(
            long block,
            long to,
            long since,
            String last,
            String digest,
            String node,
            boolean late,
            String seal,
            String file) {}

    /**
     * What the files say: per block the copy covering the most links, the nodes that keep a file here, and lines that
     * could not be read (cut short by a crash, or changed), named by file and line.
     */
    record Read(Map<Long, Copy> newest, Set<String> nodes, List<String> unreadable) {

        long sealedThrough() {
            return newest.values().stream().mapToLong(Copy::to).max().orElse(0);
        }

        long newestBlock() {
            return newest.keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "checkpoints-";
    private static final String SUFFIX = ".jsonl";
    private static final int TAIL = 16 * 1024;
    private static final int NAMED = 10;

    private final Path dir;
    private final Path own;

    CheckpointCopies(Path dir, String node) {
        this.dir = dir;
        this.own = dir.resolve(PREFIX + node + SUFFIX);
    }

    Path directory() {
        return dir;
    }

    Path file() {
        return own;
    }

    /** @throws UncheckedIOException when this node cannot create or append to its file */
    void checkWritable() {
        try {
            Files.createDirectories(dir);
            try (FileChannel out = FileChannel.open(
                    own, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                out.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot append to " + own + " (" + e.getMessage() + ")", e);
        }
    }

    /** Appends the checkpoint on a line of its own, even after a line a crash cut short. */
    void append(AuditCheckpoints.Checkpoint checkpoint) {
        String line = JSON.createObjectNode()
                        .put("block", checkpoint.block())
                        .put("to", checkpoint.to())
                        .put("since", checkpoint.since())
                        .put("last", checkpoint.last())
                        .put("digest", checkpoint.digest())
                        .put("node", checkpoint.node())
                        .put("late", checkpoint.late())
                        .put("seal", checkpoint.jws())
                        .toString()
                + "\n";
        try {
            Files.createDirectories(dir);
            try (FileChannel out = FileChannel.open(
                    own, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long end = out.size();
                if (end > 0) {
                    ByteBuffer lastByte = ByteBuffer.allocate(1);
                    out.read(lastByte, end - 1);
                    if (lastByte.get(0) != '\n') {
                        line = "\n" + line;
                    }
                }
                ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
                while (bytes.hasRemaining()) {
                    end += out.write(bytes, end);
                }
                out.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot append to " + own + " (" + e + ")", e);
        }
    }

    /** Each file's last readable line: what each node sealed last, read cheaply. */
    Read lastLines() {
        return read(true);
    }

    /** Every line of every file. */
    Read all() {
        return read(false);
    }

    private Read read(boolean lastOnly) {
        Map<Long, Copy> newest = new HashMap<>();
        Set<String> nodes = new TreeSet<>();
        List<String> unreadable = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return new Read(newest, nodes, unreadable);
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (Path file : files) {
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                Map<Long, Copy> ofFile;
                try {
                    ofFile = lastOnly ? last(file) : every(file, unreadable);
                } catch (IOException e) {
                    unreadable.add(file.getFileName() + " (" + e + ")");
                    continue;
                }
                String name = file.getFileName().toString();
                nodes.add(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
                ofFile.values().forEach(copy -> newest.merge(copy.block(), copy, (a, b) -> b.to() > a.to() ? b : a));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the checkpoint copies in " + dir + " (" + e + ")", e);
        }
        return new Read(newest, nodes, unreadable);
    }

    private static Map<Long, Copy> every(Path file, List<String> unreadable) throws IOException {
        Map<Long, Copy> byBlock = new HashMap<>();
        int number = 0;
        int bad = 0;
        // ISO-8859-1 decodes any byte: a changed line is reported, not a failure to read the file
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                number++;
                Copy copy = parse(line, file.getFileName().toString());
                if (copy == null) {
                    if (!line.isEmpty() && bad++ < NAMED) {
                        unreadable.add(file.getFileName() + " line " + number);
                    }
                    continue;
                }
                byBlock.merge(copy.block(), copy, (a, b) -> b.to() > a.to() ? b : a);
            }
        }
        if (bad > NAMED) {
            unreadable.add(file.getFileName() + ": " + (bad - NAMED) + " more lines");
        }
        return byBlock;
    }

    private static Map<Long, Copy> last(Path file) throws IOException {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, in.length() - TAIL);
            byte[] bytes = new byte[(int) (in.length() - start)];
            in.seek(start);
            in.readFully(bytes);
            String[] lines = new String(bytes, StandardCharsets.ISO_8859_1).split("\n");
            for (int i = lines.length - 1; i >= (start > 0 ? 1 : 0); i--) {
                Copy copy = parse(lines[i], file.getFileName().toString());
                if (copy != null) {
                    return Map.of(copy.block(), copy);
                }
            }
            return Map.of();
        }
    }

    /** A line, or null when it is not one (cut short by a crash, or changed): it then vouches for nothing. */
    private static Copy parse(String line, String file) {
        if (line.isEmpty() || !line.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(line);
            if (node == null
                    || !node.path("block").canConvertToLong()
                    || !node.path("to").canConvertToLong()
                    || !node.path("since").canConvertToLong()
                    || !node.path("last").isTextual()
                    || !node.path("digest").isTextual()
                    || !node.path("node").isTextual()
                    || !node.path("late").isBoolean()
                    || !node.path("seal").isTextual()) {
                return null;
            }
            return new Copy(
                    node.get("block").asLong(),
                    node.get("to").asLong(),
                    node.get("since").asLong(),
                    node.get("last").asText(),
                    node.get("digest").asText(),
                    node.get("node").asText(),
                    node.get("late").asBoolean(),
                    node.get("seal").asText(),
                    file);
        } catch (IOException e) {
            return null;
        }
    }
}
