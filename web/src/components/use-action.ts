import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';

/** The message of a refused request, naming the field when the server did. */
export function problemText(error: unknown, fallback: string): string {
  if (!(error instanceof ApiError)) return fallback;
  const field = error.problem.errors?.[0];
  return field
    ? `${error.problem.title}: ${field.field.replace(/^body\./, '')} ${field.reason}`
    : error.message;
}

/** What a decision on a lead changes: the queues, the lead, the reports. */
export const leadQueries = [
  ['queue'],
  ['lead'],
  ['clocks'],
  ['fates'],
  ['rejections'],
  ['unassigned'],
  ['sla-report'],
];

/**
 * A change the user asked for: it says how it went, in their language (the server's reason when it
 * refused), and refreshes the data it touched.
 */
export function useAction<T, R = unknown>(options: {
  run: (input: T) => Promise<R>;
  invalidate: readonly string[][];
  success?: string | ((result: R) => string);
  done?: (result: R) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: options.run,
    onSuccess: async (result) => {
      const text = typeof options.success === 'function' ? options.success(result) : options.success;
      if (text) void message.success(text);
      options.done?.(result);
      await Promise.all(options.invalidate.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
    },
    onError: (error) => void message.error(problemText(error, t('common.failed'))),
  });
}

/**
 * Puts the server's field errors beside the fields of a form (body.admin.email → ['admin', 'email']).
 * Returns whether any field of the form took one; the caller shows the rest as a message.
 */
export function showFieldErrors<T>(
  form: FormInstance<T>,
  error: unknown,
  names: readonly string[] | Readonly<Record<string, string>>,
): boolean {
  if (!(error instanceof ApiError)) return false;
  // A list names fields the form and the server share; a record maps the server's name to the form's.
  const formName = (field: string) =>
    Array.isArray(names)
      ? names.includes(field)
        ? field
        : null
      : ((names as Record<string, string>)[field] ?? null);
  const fields = (error.problem.errors ?? []).flatMap((e) => {
    const name = formName(e.field.replace(/^body\./, ''));
    if (name === null) return [];
    return [
      { name: name.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)), errors: [e.reason] },
    ];
  });
  if (fields.length > 0) form.setFields(fields as Parameters<FormInstance<T>['setFields']>[0]);
  return fields.length > 0;
}
