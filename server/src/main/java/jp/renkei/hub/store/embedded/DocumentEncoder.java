package jp.renkei.hub.store.embedded;

import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * Writes a document as BSON, byte for byte as mongo-java-server's {@link BsonEncoder} does, without its garbage.
 *
 * <p>Every commit of the embedded store encodes each page it rewrites in full, so the same documents are encoded
 * over and over. {@code BsonEncoder} copies every key and string into a new byte array and turns every array
 * into a new map keyed "0", "1", …; the hub's 128-id search-key buckets made that most of the allocation of a
 * write, and the young-generation pauses it caused were most of a write's tail latency. Here keys and strings
 * go straight into the buffer and array indexes are written as digits. Types the hub's documents rarely hold
 * are handed to {@code BsonEncoder} value by value.
 */
final class DocumentEncoder {

    private static final byte DOUBLE = 0x01;
    private static final byte STRING = 0x02;
    private static final byte DOCUMENT = 0x03;
    private static final byte ARRAY = 0x04;
    private static final byte BOOLEAN = 0x08;
    private static final byte DATE = 0x09;
    private static final byte NULL = 0x0A;
    private static final byte INT32 = 0x10;
    private static final byte INT64 = 0x12;

    private DocumentEncoder() {}

    static void encode(Map<String, ?> document, ByteBuf out) {
        int start = out.writerIndex();
        out.writeIntLE(0);
        for (Map.Entry<String, ?> entry : document.entrySet()) {
            Object value = entry.getValue();
            byte type = type(value);
            out.writeByte(type);
            writeKey(entry.getKey(), out);
            writeValue(type, value, out);
        }
        out.writeByte(0);
        out.setIntLE(start, out.writerIndex() - start);
    }

    private static void encodeArray(Collection<?> values, ByteBuf out) {
        int start = out.writerIndex();
        out.writeIntLE(0);
        int index = 0;
        for (Object value : values) {
            byte type = type(value);
            out.writeByte(type);
            writeIndex(index++, out);
            writeValue(type, value, out);
        }
        out.writeByte(0);
        out.setIntLE(start, out.writerIndex() - start);
    }

    private static byte type(Object value) {
        if (value == null) {
            return NULL;
        }
        if (value instanceof String) {
            return STRING;
        }
        if (value instanceof Map) {
            return DOCUMENT;
        }
        if (value instanceof Collection) {
            return ARRAY;
        }
        return BsonEncoder.determineType(value);
    }

    @SuppressWarnings("unchecked")
    private static void writeValue(byte type, Object value, ByteBuf out) {
        switch (type) {
            case NULL -> {}
            case STRING -> writeString((String) value, out);
            case DOCUMENT -> encode((Map<String, ?>) value, out);
            case ARRAY -> encodeArray((Collection<?>) value, out);
            case INT32 -> out.writeIntLE((Integer) value);
            case INT64 -> out.writeLongLE((Long) value);
            case DOUBLE -> out.writeLongLE(Double.doubleToRawLongBits((Double) value));
            case BOOLEAN -> out.writeByte((Boolean) value ? 1 : 0);
            case DATE -> out.writeLongLE(((Instant) value).toEpochMilli());
            default -> BsonEncoder.encodeValue(type, value, out);
        }
    }

    /** A BSON string: its UTF-8 length with the terminating zero, the bytes, the zero. */
    private static void writeString(String value, ByteBuf out) {
        int lengthAt = out.writerIndex();
        out.writeIntLE(0);
        int written = out.writeCharSequence(value, StandardCharsets.UTF_8);
        out.writeByte(0);
        out.setIntLE(lengthAt, written + 1);
    }

    /** A key as a C string; keys are ASCII almost always, written without a copy. */
    private static void writeKey(String key, ByteBuf out) {
        int length = key.length();
        for (int i = 0; i < length; i++) {
            if (key.charAt(i) >= 0x80) {
                out.writeBytes(key.getBytes(StandardCharsets.UTF_8));
                out.writeByte(0);
                return;
            }
        }
        out.writeCharSequence(key, StandardCharsets.US_ASCII);
        out.writeByte(0);
    }

    /** An array index as its decimal digits, the key BSON gives the element. */
    private static void writeIndex(int index, ByteBuf out) {
        writeDigits(index, out);
        out.writeByte(0);
    }

    private static void writeDigits(int value, ByteBuf out) {
        if (value >= 10) {
            writeDigits(value / 10, out);
        }
        out.writeByte('0' + value % 10);
    }
}
