import { describe, expect, it } from 'vitest';
import { shellRoute } from './shellRoutes';

const scope = new URL('http://127.0.0.1:8080/app/');
const files = new Set(['assets/index-abc123.js', 'assets/index-def456.css', 'manifest.webmanifest', 'icons/icon-192.png']);
const route = (url: string, mode = 'cors', method = 'GET') => shellRoute(method, mode, new URL(url, scope), scope, files);

describe('shellRoute: what the service worker answers', () => {
  it('answers navigations under /app/ (every client route) and the files of the build', () => {
    expect(route('/app/', 'navigate')).toBe('page');
    expect(route('/app/patients/pat-yamada?record=Task/1', 'navigate')).toBe('page');
    expect(route('/app/assets/index-abc123.js', 'cors')).toBe('file');
    expect(route('/app/manifest.webmanifest', 'same-origin')).toBe('file');
    expect(route('/app/icons/icon-192.png', 'no-cors')).toBe('file');
  });

  it('never touches FHIR, the socket, Keycloak, writes or anything it did not cache at install', () => {
    expect(route('/fhir/Patient?name=山田')).toBe('network');
    expect(route('/fhir/Patient/pat-yamada', 'navigate')).toBe('network');
    expect(route('/fhir/.well-known/smart-configuration')).toBe('network');
    expect(route('/notifications')).toBe('network');
    expect(route('http://127.0.0.1:8180/realms/renkei/protocol/openid-connect/token', 'cors', 'POST')).toBe('network');
    expect(route('http://127.0.0.1:8180/realms/renkei/protocol/openid-connect/auth', 'navigate')).toBe('network');
    expect(route('/app/', 'navigate', 'POST')).toBe('network');
    expect(route('/app/assets/other-999.js')).toBe('network');
    expect(route('/app/assets/index-abc123.js?x=1')).toBe('network');
    expect(route('/application/assets/index-abc123.js')).toBe('network');
  });
});
