import { Button, Popconfirm } from 'antd';
import { useTranslation } from 'react-i18next';
import { useAction } from './use-action.ts';

/** Deletes something after a confirmation; the server's refusal (still in use) is shown as its message. */
export function DeleteButton({
  label,
  confirm,
  run,
  invalidate,
  onDeleted,
}: {
  label: string;
  confirm: string;
  run: () => Promise<unknown>;
  invalidate: string[][];
  onDeleted: () => void;
}) {
  const { t } = useTranslation();
  const remove = useAction({ run, invalidate, success: t('profile.saved'), done: onDeleted });
  return (
    <Popconfirm
      title={confirm}
      okText={label}
      cancelText={t('common.cancel')}
      onConfirm={() => remove.mutate(undefined)}
    >
      <Button danger loading={remove.isPending}>
        {label}
      </Button>
    </Popconfirm>
  );
}
