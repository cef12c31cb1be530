// Credentials inside a repository URL (`https://user:token@host/x.git`): the one function that
// hides them, used at every boundary a URL crosses (status in every format, the API's view,
// error messages, logs). Pure.

/** `https://user:token@host/x.git` -> `https://***@host/x.git`; a URL without credentials, or a
 *  local path, is returned as is. The userinfo runs to the authority's last `@`, so a password
 *  holding `@` is hidden whole. */
export function redactUrlCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}

/** The URL without its userinfo, and the userinfo's parts (percent-decoded), so credentials can
 *  travel in an Authorization header instead of being stored with the URL. */
export function splitUrlCredentials(url: string): { url: string; username?: string; password?: string } {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@(.*)$/is.exec(url);
  if (!m) return { url };
  const userinfo = m[2] ?? '';
  const colon = userinfo.indexOf(':');
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return {
    url: `${m[1]}${m[3]}`,
    username: decode(colon < 0 ? userinfo : userinfo.slice(0, colon)),
    password: colon < 0 ? undefined : decode(userinfo.slice(colon + 1)),
  };
}
