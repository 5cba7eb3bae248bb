"""Translates template.yaml through the SAM transform, offline, and writes the CloudFormation
template that CloudFormation itself would deploy (to lint it: `make lint-template`).

Why: `sam validate --lint` lints the SAM template, and two faults only show after the
transform: a route whose `Authorizer: NONE` the transform refuses, and a circular dependency
through generated resources (an alias, its CodeDeploy deployment group, the alarms it waits
on). cfn-lint on this output finds both. Run with the SAM CLI's Python (.local/tools/bin/python):

    .local/tools/bin/python infra/sam-translate.py template.yaml .aws-sam/lint/template.json
"""

import json
import logging
import os
import sys

from samcli.lib.translate.sam_template_validator import SamTemplateValidator
from samcli.yamlhelper import yaml_parse


class NoManagedPolicies:
    """The template names managed policies by ARN only; nothing to look up in IAM."""

    def load(self):
        return {}


def main() -> int:
    logging.disable(logging.WARNING)  # the transform's feature-toggle notices
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    region = os.environ.get("AWS_DEFAULT_REGION", "eu-west-1")
    validator = SamTemplateValidator(template, NoManagedPolicies(), region=region)
    translated = yaml_parse(validator.get_translated_template_if_valid())
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    with open(target, "w", encoding="utf-8") as f:
        json.dump(translated, f, indent=1, default=str)
    print(f"{source}: SAM transform OK, {len(translated.get('Resources', {}))} resources -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
