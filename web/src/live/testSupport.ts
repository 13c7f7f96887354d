// Notification Bundles as the hub writes them, for the tests of this folder (not part of the app's bundle).

const STATUS_PROFILE = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4';

export function notification(
  subscription: string,
  type: string,
  count: number,
  events: Array<{ number: number; focus?: string }> = [],
  topic = 'care-document',
) {
  return {
    resourceType: 'Bundle',
    type: 'history',
    entry: [
      {
        fullUrl: 'urn:uuid:1',
        resource: {
          resourceType: 'Parameters',
          meta: { profile: [STATUS_PROFILE] },
          parameter: [
            { name: 'subscription', valueReference: { reference: `http://127.0.0.1:8080/fhir/Subscription/${subscription}` } },
            { name: 'topic', valueCanonical: `http://renkei.example.jp/fhir/SubscriptionTopic/${topic}` },
            { name: 'status', valueCode: 'active' },
            { name: 'type', valueCode: type },
            { name: 'events-since-subscription-start', valueString: String(count) },
            ...events.map((e) => ({
              name: 'notification-event',
              part: [
                { name: 'event-number', valueString: String(e.number) },
                { name: 'timestamp', valueInstant: '2026-11-23T01:02:03.456Z' },
                ...(e.focus ? [{ name: 'focus', valueReference: { reference: `http://127.0.0.1:8080/fhir/${e.focus}` } }] : []),
              ],
            })),
          ],
        },
      },
    ],
  };
}
