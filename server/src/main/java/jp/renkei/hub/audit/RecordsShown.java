package jp.renkei.hub.audit;

import java.util.Collection;
import jp.renkei.hub.access.Caller;

/**
 * Told, after a successful request is audited, which records its caller was shown or wrote
 * ({@code Type/id/_history/version}): how notifications learn that a recipient opened what they were sent.
 * Must be quick and must not throw; the response does not wait for anything it starts.
 */
public interface RecordsShown {

    void shown(Caller caller, Collection<String> records);
}
