package jp.renkei.hub.fhir;

import java.time.ZoneId;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The FHIR endpoint's settings ({@code renkei.fhir.*} in application.yml).
 * ({@code renkei.fhir.search-retention}, how long {@code next} links of a search keep working, is read where the
 * snapshots are kept: store.MongoStoreConfig.)
 *
 * @param timeZone        zone for dates written without one (Asia/Tokyo)
 * @param maxRequestSize  larger request bodies are refused with 413 (env RENKEI_MAX_REQUEST_SIZE)
 * @param defaultPageSize search page size when {@code _count} is absent
 * @param maxPageSize     largest {@code _count} honoured
 */
@ConfigurationProperties("renkei.fhir")
public record FhirProperties(ZoneId timeZone, DataSize maxRequestSize, int defaultPageSize, int maxPageSize) {}
