import type { Principal } from '../../policy';
import { html, type Html } from '../html';

/** What every signed-in page shows around its content. */
export interface PageFrame {
  readonly principal: Principal;
  readonly csrfToken: string;
  /** A one-time message about the last action. */
  readonly flash?: string | undefined;
  readonly current: 'secrets' | 'audit' | 'rotation';
}

function navLink(href: string, label: string, testId: string, current: boolean): Html {
  return html`<a href="${href}" data-testid="${testId}" ${current ? html` aria-current="page"` : ''}
    >${label}</a
  >`;
}

/** A whole page: head with the one stylesheet and script, header, flash, content. */
export function page(frame: PageFrame, title: string, body: Html): string {
  const roles = frame.principal.roles.join(', ') || 'no roles';
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="csrf-token" content="${frame.csrfToken}" />
        <title>${title} · keystage console</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/assets/console.css" />
        <script src="/assets/console.js" defer></script>
      </head>
      <body>
        <header>
          <span class="brand">keystage console</span>
          <nav aria-label="Screens">
            ${navLink('/', 'Secrets', 'nav-secrets', frame.current === 'secrets')}
            ${navLink('/audit', 'Audit', 'nav-audit', frame.current === 'audit')}
            ${navLink('/rotation', 'Rotation health', 'nav-rotation', frame.current === 'rotation')}
          </nav>
          <span data-testid="signed-in-as">${frame.principal.id} (${roles})</span>
          <form method="post" action="/logout">
            <input type="hidden" name="csrf" value="${frame.csrfToken}" /><button
              type="submit"
              data-testid="logout-button"
            >
              Sign out
            </button>
          </form>
        </header>
        <main>
          ${frame.flash === undefined ? '' : html`<p class="flash" role="status" data-testid="flash">${frame.flash}</p>`}
          ${body}
        </main>
      </body>
    </html> `.text;
}

/** A page for a refusal or a failure, signed in or not: the status and what to do, never a value. */
export function errorPage(status: number, message: string, hint?: string): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${status} · keystage console</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/assets/console.css" />
      </head>
      <body>
        <main>
          <h1>Error <span data-testid="error-status">${status}</span></h1>
          <p class="error" role="alert" data-testid="error-message">${message}</p>
          ${hint === undefined ? '' : html`<p>${hint}</p>`}
          <p><a href="/">Back to the console</a></p>
        </main>
      </body>
    </html> `.text;
}
