package jp.renkei.hub.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Decimal128;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.MaxKey;
import de.bwaldvogel.mongo.bson.MinKey;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The embedded store's pages must hold exactly the BSON that mongo-java-server itself would write. */
class DocumentEncoderTest {

    @Test
    void writesTheSameBytesAsMongoJavaServerForEveryKindOfValue() {
        Document nested = new Document("family", "高橋").append("given", List.of("キヨ", "Kiyo"));
        List<Object> ids = new ArrayList<>(
                IntStream.range(0, 128).mapToObj(i -> "Composition/" + i).toList());
        Document document = new Document("_id", "Composition/c-1|3")
                .append("body", "{\"resourceType\":\"Composition\",\"title\":\"退院時情報提供書 🏥\"}")
                .append("lone surrogate", "a\uD800b")
                .append("患者", "非ASCIIのキー")
                .append("n", 42)
                .append("v", 7_000_000_000L)
                .append("ratio", 0.25)
                .append("done", true)
                .append("absent", null)
                .append("at", Instant.parse("2026-11-24T01:02:03.456Z"))
                .append("ids", ids)
                .append("names", nested)
                .append("empty", new Document())
                .append("none", List.of())
                .append("matrix", List.of(List.of(1, 2), List.of(new Document("x", 1))))
                .append("set", new LinkedHashSet<>(List.of("b", "a")))
                .append("oid", new ObjectId())
                .append("bin", new BinData(new byte[] {1, 2, 3}))
                .append("uuid", UUID.randomUUID())
                .append("ts", new BsonTimestamp(123L))
                .append("dec", new Decimal128(new BigDecimal("12.50")))
                .append("max", MaxKey.getInstance())
                .append("min", MinKey.getInstance());

        ByteBuf expected = Unpooled.buffer();
        BsonEncoder.encodeDocument(document, expected);
        ByteBuf actual = Unpooled.buffer(16);
        DocumentEncoder.encode(document, actual);

        assertThat(ByteBufUtil.hexDump(actual)).isEqualTo(ByteBufUtil.hexDump(expected));
        Document decoded = BsonDecoder.decodeBson(actual);
        assertThat(decoded.get("ids")).isEqualTo(ids);
        assertThat(decoded.get("body")).isEqualTo(document.get("body"));
        assertThat(decoded.get("names")).isEqualTo(nested);
    }
}
