package jp.renkei.hub.audit;

import java.util.Collection;
import jp.renkei.hub.context.Caller;

/**
 * Told, after a successful request is audited, which records its caller was shown or wrote
 * ({@code Type/id/_history/version}) and by which interaction ({@code read}, {@code vread},
 * {@code update}, {@code search-type}, … or an operation's name such as {@code $pdf}): how notifications
 * learn that a recipient opened what they were sent. Must be quick; runs before the response is sent.
 */
public interface RecordsShown {

    void shown(Caller caller, String interaction, Collection<String> records);
}
