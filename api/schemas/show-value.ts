// Values inside error details, as Kubernetes quotes them: strings in double quotes, numbers and
// booleans bare, objects as JSON (shortened so one bad field cannot flood the message).

const MAX_SHOWN = 120;

export function showValue(value: unknown): string {
  if (value === undefined) return 'null';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
}

export const quote = (s: string): string => JSON.stringify(s);
