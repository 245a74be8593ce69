import { ValidationError } from '../errors';
import type { ConsoleCore, Reply } from './console-core';
import { html } from './html';
import { auditPage } from './pages/audit-page';
import { environmentPage } from './pages/environment-page';
import { page, type PageFrame } from './pages/layout';
import { rotationPage } from './pages/rotation-page';
import { reportDownload } from './reports';
import type { Fields } from './request-body';
import { SECRET_ACTIONS, rotationStatus, showSecret } from './secret-routes';
import type { Session } from './sessions';

/** A path the console has no page or action for (404). */
export class RouteNotFound {
  readonly status = 404;
  constructor(
    readonly message: string,
    readonly hint?: string,
  ) {}
}

/** The frame of a page for this session; its flash message is shown once. */
function frameOf(core: ConsoleCore, session: Session): Omit<PageFrame, 'current'> {
  const flash = session.flash;
  session.flash = undefined;
  return { principal: core.principal, csrfToken: session.csrfToken, flash };
}

/**
 * The page or action a signed-in request asks for: a write (`fields` given, CSRF checked
 * already) runs one of SECRET_ACTIONS; a read renders a screen.
 */
export async function route(
  core: ConsoleCore,
  url: URL,
  session: Session,
  fields: Fields | undefined,
): Promise<Reply> {
  const path = url.pathname;
  if (fields !== undefined) {
    const name = path.startsWith('/secret/') ? path.slice('/secret/'.length) : '';
    const action = Object.hasOwn(SECRET_ACTIONS, name) ? SECRET_ACTIONS[name] : undefined;
    if (action === undefined) throw new RouteNotFound('There is no such action.');
    return action(core, fields);
  }
  const frame = frameOf(core, session);
  if (path === '/') {
    const first = (await core.environments())[0];
    if (first !== undefined)
      return { kind: 'redirect', location: `/environments/${encodeURIComponent(first)}` };
    const body = html`<h1>No environments</h1>
      <p data-testid="error-message">Your roles let you see no environment's secrets.</p>`;
    return {
      kind: 'html',
      status: 200,
      body: page({ ...frame, current: 'secrets' }, 'No environments', body),
    };
  }
  if (path.startsWith('/environments/')) {
    let environment: string;
    try {
      environment = decodeURIComponent(path.slice('/environments/'.length));
    } catch {
      throw new ValidationError('environment', 'The environment in the address is not valid.');
    }
    return environmentPage(core, frame, environment, url.searchParams.get('q')?.trim() || undefined);
  }
  if (path === '/secret') return showSecret(core, frame, url.searchParams);
  if (path === '/api/rotation') return rotationStatus(core, url.searchParams);
  if (path === '/audit') return auditPage(core, frame, url.searchParams);
  if (path === '/rotation') return rotationPage(core, frame);
  if (path.startsWith('/reports/'))
    return reportDownload(core, path.slice('/reports/'.length), url.searchParams);
  throw new RouteNotFound('There is no such page.');
}
