/** Replaces the password of a connection URL with `***`. Leaves non-URLs unchanged. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    for (const key of [...url.searchParams.keys()]) {
      if (/pass|secret|token|key/i.test(key)) url.searchParams.set(key, '***');
    }
    return url.toString();
  } catch {
    return value.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
  }
}
