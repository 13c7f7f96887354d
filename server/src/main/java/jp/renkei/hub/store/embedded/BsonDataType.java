package jp.renkei.hub.store.embedded;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * How the embedded store writes documents, positions and index keys into MVStore pages: as BSON.
 *
 * <p>MVStore's default {@code ObjectDataType} falls back to Java serialization for the store's
 * {@code Document} and {@code KeyValue} classes, and compares index keys by serializing both
 * sides; profiling a create showed half of the hub's CPU there. BSON is compact, fast and what the
 * store speaks anyway; keys compare in MongoDB's value order.
 */
final class BsonDataType extends BasicDataType<Object> {

    static final BsonDataType INSTANCE = new BsonDataType();

    private static final byte DOCUMENT = 1;
    private static final byte KEY_VALUE = 2;
    private static final byte MISSING = 3;
    private static final byte SCALAR = 4;
    private static final byte STRING = 5;
    private static final int MAX_SCRATCH = 1 << 20;
    /** Pages are encoded by the committing thread; one reusable buffer each avoids regrowing per value. */
    private static final ThreadLocal<ByteBuf> SCRATCH = ThreadLocal.withInitial(() -> Unpooled.buffer(16 * 1024));

    private static final ValueComparator ORDER = ValueComparator.ascWithoutListHandling();

    private BsonDataType() {}

    @Override
    public int compare(Object a, Object b) {
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y);
        }
        if (a instanceof Missing || b instanceof Missing) {
            return Boolean.compare(!(a instanceof Missing), !(b instanceof Missing));
        }
        if (a instanceof KeyValue x && b instanceof KeyValue y) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                int c = compare(x.get(i), y.get(i));
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        return ORDER.compare(a, b);
    }

    @Override
    public int getMemory(Object value) {
        return 24 + estimate(value);
    }

    /** Page splitting relies on this, so it must grow with the content without encoding it. */
    private static int estimate(Object value) {
        if (value instanceof String s) {
            return 40 + 2 * s.length();
        }
        if (value instanceof Map<?, ?> map) {
            int size = 48;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                size += 32 + 2 * e.getKey().toString().length() + estimate(e.getValue());
            }
            return size;
        }
        if (value instanceof Collection<?> list) {
            int size = 40;
            for (Object o : list) {
                size += 8 + estimate(o);
            }
            return size;
        }
        if (value instanceof KeyValue key) {
            int size = 40;
            for (Object o : key) {
                size += 8 + estimate(o);
            }
            return size;
        }
        return 24;
    }

    @Override
    public void write(WriteBuffer buffer, Object value) {
        if (value instanceof String string) {
            // Ids: most keys, and every key of the inner pages that each commit rewrites.
            buffer.put(STRING).putVarInt(string.length()).putStringData(string, string.length());
        } else if (value instanceof Document document) {
            buffer.put(DOCUMENT);
            putBson(buffer, document);
        } else if (value instanceof KeyValue key) {
            buffer.put(KEY_VALUE).putVarInt(key.size());
            for (Object part : key) {
                write(buffer, part);
            }
        } else if (value instanceof Missing) {
            buffer.put(MISSING);
        } else {
            buffer.put(SCALAR);
            putBson(buffer, new Document("v", value));
        }
    }

    private static void putBson(WriteBuffer buffer, Document document) {
        ByteBuf bytes = SCRATCH.get().clear();
        DocumentEncoder.encode(document, bytes);
        buffer.putVarInt(bytes.readableBytes());
        buffer.put(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes());
        if (bytes.capacity() > MAX_SCRATCH) {
            SCRATCH.remove();
        }
    }

    @Override
    public Object read(ByteBuffer buffer) {
        byte kind = buffer.get();
        return switch (kind) {
            case DOCUMENT -> readBson(buffer);
            case KEY_VALUE -> {
                int size = DataUtils.readVarInt(buffer);
                List<Object> parts = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    parts.add(read(buffer));
                }
                yield new KeyValue(parts);
            }
            case MISSING -> Missing.getInstance();
            case STRING -> DataUtils.readString(buffer, DataUtils.readVarInt(buffer));
            case SCALAR -> readBson(buffer).get("v");
            default -> throw new IllegalStateException("Unknown value kind " + kind + " in the embedded store file");
        };
    }

    private static Document readBson(ByteBuffer buffer) {
        int length = DataUtils.readVarInt(buffer);
        ByteBuffer slice = buffer.slice();
        slice.limit(length);
        buffer.position(buffer.position() + length);
        return BsonDecoder.decodeBson(Unpooled.wrappedBuffer(slice));
    }

    @Override
    public Object[] createStorage(int size) {
        return new Object[size];
    }
}
