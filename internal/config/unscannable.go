package config

import "fmt"

func init() { validators = append(validators, validateUnscannable) }

// validateUnscannable checks [policy] unscannable_action and
// [policy.unscannable_actions] (whether a key names a known symbol or
// group is checked by the policy, which knows the registry).
func validateUnscannable(c *Config) error {
	check := func(key, act string) error {
		switch act {
		case "accept", "tag", "quarantine", "reject", "tempfail":
			return nil
		}
		return fmt.Errorf("config: policy.%s: unknown action %q (want accept, tag, quarantine, reject or tempfail)", key, act)
	}
	if c.Policy.UnscannableAction == "" {
		c.Policy.UnscannableAction = "quarantine"
	}
	if err := check("unscannable_action", c.Policy.UnscannableAction); err != nil {
		return err
	}
	for k, a := range c.Policy.UnscannableActions {
		if err := check("unscannable_actions."+k, a); err != nil {
			return err
		}
	}
	return nil
}
