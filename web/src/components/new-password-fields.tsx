import { Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { passwordRules } from '../../../src/domain/people/password-rules.ts';

/**
 * A new password and its repetition, with the one password rule: setup, a link's page and the
 * profile ask for a password this way. `name` is where the password sits in the surrounding form.
 */
export function NewPasswordFields({ name, label }: { name: string | string[]; label: string }) {
  const { t } = useTranslation();
  return (
    <>
      <Form.Item
        name={name}
        label={label}
        extra={t('password.rule')}
        rules={[{ required: true, ...passwordRules, message: t('password.rule') }]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        name="repeat"
        label={t('password.repeat')}
        dependencies={[name]}
        rules={[
          { required: true, message: t('password.mismatch') },
          ({ getFieldValue }) => ({
            validator: (_, value) =>
              !value || value === getFieldValue(name)
                ? Promise.resolve()
                : Promise.reject(new Error(t('password.mismatch'))),
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
    </>
  );
}
