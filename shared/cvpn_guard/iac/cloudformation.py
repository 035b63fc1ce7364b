"""Client VPN endpoints as a CloudFormation template declares them: plain, SAM or CDK output.

SAM templates (``Transform: AWS::Serverless-2016-10-31``) and what ``cdk synth`` writes
(``cdk.out/*.template.json``) declare Client VPN endpoints as plain CloudFormation resources,
so one reader serves all three. An ``AWS::EC2::ClientVpnEndpoint`` becomes the Describe item
AWS would answer for it (:mod:`cvpn_guard.iac.cfn_fields` is the mapping, with the documented
defaults of what the template leaves out); the ``AWS::EC2::ClientVpnAuthorizationRule``,
``AWS::EC2::ClientVpnRoute`` and ``AWS::EC2::ClientVpnTargetNetworkAssociation`` resources whose
``ClientVpnEndpointId`` is a ``Ref`` of it become its authorization rules and routes. Values
written with intrinsic functions are resolved as :mod:`cvpn_guard.iac.cfn_intrinsics` allows;
the rest are reported unresolved, with the expression.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cvpn_guard.iac.cfn_fields import (
    ASSOCIATION_TYPE,
    AUTHORIZATION_POLICY_PROPERTIES,
    AUTHORIZATION_RULE_PROPERTIES,
    AUTHORIZATION_RULE_TYPE,
    ENDPOINT_PROPERTIES,
    ENDPOINT_TAG_RESOURCE_TYPE,
    ENDPOINT_TYPE,
    JOIN_PROPERTY,
    ROUTE_PROPERTIES,
    ROUTE_TYPE,
    PropertyMapping,
    Shape,
)
from cvpn_guard.iac.cfn_intrinsics import (
    NO_VALUE,
    VPC_TYPE,
    Resolver,
    Unresolved,
    default_security_group_id,
)
from cvpn_guard.iac.cfn_loading import LoadedTemplate, Path, load_template
from cvpn_guard.iac.declared import DeclaredEndpoint, SourceKind

PORTAL_URL = "https://self-service.clientvpn.amazonaws.com/endpoints/{}"
"""What Describe's ``SelfServicePortalUrl`` looks like; the rules ask only whether it is there."""

ACTIVE = {"Code": "active"}
"""The status a declared rule or route has once created."""

REVOCATION_LIST_UNKNOWN = (
    "a certificate revocation list is imported through the API "
    "(ImportClientVpnClientCertificateRevocationList), never declared in a template"
)

# Nested boolean keys of the endpoint's options: CloudFormation also takes "true"/"false"
# strings for Boolean properties (a parameter's value is a string), Describe answers booleans.
_BOOLEAN_KEYS = frozenset({"Enabled", "Enforced", "IncludeAuthorizationPolicyContext"})


def is_template(data: object) -> bool:
    """Whether parsed YAML or JSON is a CloudFormation template: a mapping whose ``Resources``
    is a non-empty mapping of resources, each with a string ``Type``."""
    if not isinstance(data, Mapping):
        return False
    resources = data.get("Resources")
    return (
        isinstance(resources, Mapping)
        and bool(resources)
        and all(
            isinstance(resource, Mapping) and isinstance(resource.get("Type"), str)
            for resource in resources.values()
        )
    )


def read_template(
    file: str, text: str, *, pseudo_parameters: Mapping[str, Any] | None = None
) -> list[DeclaredEndpoint]:
    """The Client VPN endpoints a template creates, as Describe would show them.

    Parameters
    ----------
    file : str
        The file's name as the user gave it (findings name it so).
    text : str
        The template, YAML or JSON (CloudFormation, SAM or CDK output).
    pseudo_parameters : Mapping[str, Any] | None
        Values for ``AWS::Region``, ``AWS::AccountId``, ``AWS::Partition``... where known;
        without them, values built from them are unresolved.

    Returns
    -------
    list[DeclaredEndpoint]
        One per ``AWS::EC2::ClientVpnEndpoint`` the template creates with its parameters'
        defaults, in the template's order; none when the text is not a template.

    Raises
    ------
    SourceError
        The text is not valid YAML or JSON.
    """
    loaded = load_template(file, text)
    if not is_template(loaded.data):
        return []
    resolver = Resolver(loaded.data, pseudo_parameters or {})
    resources = {
        logical_id: resource
        for logical_id, resource in loaded.data["Resources"].items()
        if _created(resource, resolver)
    }
    related = _related_resources(resources)
    return [
        _Declaration(file, logical_id, resource, loaded, resolver).build(
            related.get(logical_id, [])
        )
        for logical_id, resource in resources.items()
        if resource["Type"] == ENDPOINT_TYPE
    ]


def _created(resource: Mapping[str, Any], resolver: Resolver) -> bool:
    # A resource whose Condition is false with the defaults is not created; an unknown
    # condition may hold, so the resource is read.
    condition = resource.get("Condition")
    if not isinstance(condition, str):
        return True
    try:
        return resolver.condition(condition)
    except Unresolved:
        return True


def _related_resources(resources: Mapping[str, Any]) -> dict[str, list[str]]:
    related: dict[str, list[str]] = {}
    kinds = (AUTHORIZATION_RULE_TYPE, ROUTE_TYPE, ASSOCIATION_TYPE)
    for logical_id, resource in resources.items():
        if resource["Type"] not in kinds:
            continue
        endpoint = _referenced(_properties(resource).get(JOIN_PROPERTY))
        if endpoint is not None and _type_of(resources, endpoint) == ENDPOINT_TYPE:
            related.setdefault(endpoint, []).append(logical_id)
    return related


def _referenced(value: Any) -> str | None:
    """The logical id a ``Ref`` (or ``Fn::GetAtt <id>.Id``) names."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return None
    ((name, argument),) = value.items()
    if name == "Ref" and isinstance(argument, str):
        return argument
    if name == "Fn::GetAtt":
        parts = argument.split(".", 1) if isinstance(argument, str) else argument
        if isinstance(parts, list) and len(parts) == 2 and parts[1] == "Id":
            return str(parts[0])
    return None


def _type_of(resources: Mapping[str, Any], logical_id: str) -> str | None:
    resource = resources.get(logical_id)
    return resource.get("Type") if isinstance(resource, Mapping) else None


def _properties(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    properties = resource.get("Properties")
    return properties if isinstance(properties, Mapping) else {}


@dataclass
class _Declaration:
    """One endpoint being read: what it declares, where, and what could not be told."""

    file: str
    logical_id: str
    resource: Mapping[str, Any]
    loaded: LoadedTemplate
    resolver: Resolver
    describe: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    defaulted: dict[str, str] = field(default_factory=dict)
    unresolved: dict[str, str] = field(default_factory=dict)

    def build(self, related: list[str]) -> DeclaredEndpoint:
        self.describe["ClientVpnEndpointId"] = self.logical_id
        properties = _properties(self.resource)
        for mapping in ENDPOINT_PROPERTIES:
            self._read(mapping, properties)
        default_groups = self._default_security_groups()
        rules = [name for name in related if self._type(name) == AUTHORIZATION_RULE_TYPE]
        routes = [name for name in related if self._type(name) in (ROUTE_TYPE, ASSOCIATION_TYPE)]
        authorization_rules = tuple(self._authorization_rule(name) for name in rules)
        declared_routes = tuple(route for name in routes if (route := self._route(name)))
        return DeclaredEndpoint(
            kind=SourceKind.CLOUDFORMATION,
            file=self.file,
            name=self.logical_id,
            describe=self.describe,
            line=self.loaded.line(("Resources", self.logical_id)),
            authorization_rules=tuple(rule for rule in authorization_rules if rule is not None),
            routes=None if "routes" in self.unresolved else declared_routes,
            property_lines=self.lines,
            defaulted=self.defaulted,
            unresolved=self.unresolved,
            unknown={"revocation_list": REVOCATION_LIST_UNKNOWN},
            default_security_group_ids=default_groups,
            authorization_policy=self._authorization_policy(properties),
        )

    def _type(self, logical_id: str) -> str | None:
        kind = self.resolver.resource(logical_id).get("Type")
        return kind if isinstance(kind, str) else None

    def _path(self, *keys: str | int) -> Path:
        return ("Resources", self.logical_id, "Properties", *keys)

    def _read(self, mapping: PropertyMapping, properties: Mapping[str, Any]) -> None:
        if mapping.property in properties:
            line = self.loaded.line(self._path(mapping.property))
            try:
                value = self.resolver.value(properties[mapping.property])
            except Unresolved as unresolved:
                self.unresolved[mapping.field] = unresolved.text()
                if line is not None:
                    self.lines[mapping.field] = line
                return
            if value is not NO_VALUE:  # !Ref AWS::NoValue: as if left out
                if line is not None:
                    self.lines[mapping.field] = line
                self._put(mapping, _coerced(value, mapping.schema_type, mapping.renames))
                return
        if mapping.default is not None:
            self._put(mapping, mapping.default.value)
            self.defaulted[mapping.field] = mapping.default.source

    def _put(self, mapping: PropertyMapping, value: Any) -> None:
        if mapping.shape is Shape.PORTAL_URL:
            # Describe has no SelfServicePortal, only the portal's URL while it is on.
            if value == "enabled":
                self.describe[mapping.field] = PORTAL_URL.format(self.logical_id)
        elif mapping.shape is Shape.ENDPOINT_TAGS:
            self.describe[mapping.field] = [
                tag
                for specification in value
                if isinstance(specification, Mapping)
                and specification.get("ResourceType") == ENDPOINT_TAG_RESOURCE_TYPE
                for tag in specification.get("Tags", [])
            ]
        elif mapping.shape is Shape.TRUST_PROVIDERS:
            providers = value.get("TrustProviders", []) if isinstance(value, Mapping) else []
            self.describe[mapping.field] = {"TrustProviders": providers}
        else:
            self.describe[mapping.field] = value

    def _default_security_groups(self) -> frozenset[str] | None:
        """The VPC's default security group where the VPC is in the template; it is also the
        endpoint's group when the template names a VPC and no groups (User Guide, VpcId:
        "If no security group IDs are specified in the request, the default security group
        for the VPC is applied")."""
        if "VpcId" in self.unresolved:
            if "SecurityGroupIds" not in self.describe:
                self.unresolved.setdefault("SecurityGroupIds", self.unresolved["VpcId"])
            return None
        vpc_id = self.describe.get("VpcId")
        if vpc_id is None:
            return None  # the VPC of the first associated subnet, which Describe tells later
        vpc = self.resolver.resource_of(vpc_id)
        default_group = None if vpc is None else default_security_group_id(vpc)
        if "SecurityGroupIds" not in self.describe and "SecurityGroupIds" not in self.unresolved:
            if default_group is not None:
                self.describe["SecurityGroupIds"] = [default_group]
                self.defaulted["SecurityGroupIds"] = (
                    "the VPC's default security group (User Guide, AWS::EC2::ClientVpnEndpoint "
                    "VpcId: applied when no security group IDs are specified)"
                )
            else:
                self.unresolved["SecurityGroupIds"] = (
                    f"the default security group of {vpc_id}, which the template does not "
                    "declare (applied when VpcId is given without SecurityGroupIds)"
                )
        return None if default_group is None else frozenset({default_group})

    def _related_values(
        self, logical_id: str, table: tuple[PropertyMapping, ...]
    ) -> dict[str, Any]:
        properties = _properties(self.resolver.resource(logical_id))
        item: dict[str, Any] = {"ClientVpnEndpointId": self.logical_id}
        for mapping in table:
            if mapping.property in properties:
                value = self.resolver.value(properties[mapping.property])
                if value is not NO_VALUE:
                    item[mapping.field] = _coerced(value, mapping.schema_type, {})
                    continue
            if mapping.default is not None:
                item[mapping.field] = mapping.default.value
        return item

    def _authorization_rule(self, logical_id: str) -> dict[str, Any] | None:
        try:
            item = self._related_values(logical_id, AUTHORIZATION_RULE_PROPERTIES)
        except Unresolved as unresolved:
            self._unresolved_input("authorization_rules", logical_id, unresolved)
            return None
        return {**item, "Status": ACTIVE}

    def _route(self, logical_id: str) -> dict[str, Any] | None:
        try:
            if self._type(logical_id) == ROUTE_TYPE:
                item = self._related_values(logical_id, ROUTE_PROPERTIES)
                return {**item, "Origin": "add-route", "Status": ACTIVE}
            return self._association_route(logical_id)
        except Unresolved as unresolved:
            self._unresolved_input("routes", logical_id, unresolved)
            return None

    def _association_route(self, logical_id: str) -> dict[str, Any]:
        """The route AWS adds when a subnet is associated: to the CIDR of the subnet's VPC,
        through that subnet (Origin ``associate``), which only disassociating removes.

        Client VPN Administrator Guide, "AWS Client VPN routes": "When you associate a subnet
        from a VPC with a Client VPN endpoint, a route for the VPC is automatically added to
        the Client VPN endpoint's route table."
        """
        subnet_property = _properties(self.resolver.resource(logical_id)).get("SubnetId")
        subnet = self.resolver.value(subnet_property)
        vpc_cidr = self._vpc_cidr(subnet)
        if vpc_cidr is None:
            raise Unresolved(
                f"the route its association adds goes to the CIDR of the VPC of {subnet}, "
                "which the template does not declare"
            )
        return {
            "ClientVpnEndpointId": self.logical_id,
            "DestinationCidr": vpc_cidr,
            "TargetSubnet": subnet,
            "Origin": "associate",
            "Status": ACTIVE,
        }

    def _vpc_cidr(self, subnet: Any) -> str | None:
        # The subnet's VPC when the subnet is in the template, else the endpoint's VPC (the
        # subnets of an endpoint are in its VPC).
        vpc_id: Any = self.describe.get("VpcId")
        subnet_resource = self.resolver.resource_of(subnet)
        if subnet_resource is not None:
            subnet_vpc = _properties(self.resolver.resource(subnet_resource)).get("VpcId")
            if subnet_vpc is not None:
                vpc_id = self.resolver.value(subnet_vpc)
        vpc = self.resolver.resource_of(vpc_id)
        if vpc is None or self._type(vpc) != VPC_TYPE:
            return None
        cidr = _properties(self.resolver.resource(vpc)).get("CidrBlock")
        if cidr is None:
            return None  # an IPAM pool's CIDR, known only once allocated
        resolved = self.resolver.value(cidr)
        return resolved if isinstance(resolved, str) else None

    def _unresolved_input(self, need: str, logical_id: str, unresolved: Unresolved) -> None:
        reason = f"{logical_id}: {unresolved.text()}"
        earlier = self.unresolved.get(need)
        self.unresolved[need] = reason if earlier is None else f"{earlier}; {reason}"

    def _authorization_policy(self, properties: Mapping[str, Any]) -> dict[str, Any] | None:
        """The Cedar authorization policy the template gives the endpoint; without the
        property the endpoint has none, and the answer has only the endpoint id."""
        answer: dict[str, Any] = {"ClientVpnEndpointId": self.logical_id}
        if "AuthorizationPolicy" not in properties:
            return answer
        try:
            policy = self.resolver.value(properties["AuthorizationPolicy"])
        except Unresolved as unresolved:
            self.unresolved["authorization_policy"] = unresolved.text()
            return None
        if not isinstance(policy, Mapping):
            return answer
        for name, key in AUTHORIZATION_POLICY_PROPERTIES.items():
            if name in policy:
                answer[key] = policy[name]
        return {**answer, "Status": "active"}


def _coerced(value: Any, schema_type: str, renames: Mapping[str, str]) -> Any:
    if schema_type == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if schema_type == "integer" and isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return _nested(value, renames)


def _nested(value: Any, renames: Mapping[str, str]) -> Any:
    if isinstance(value, Mapping):
        return {
            renames.get(key, key): (
                _coerced(item, "boolean", renames)
                if key in _BOOLEAN_KEYS
                else _nested(item, renames)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_nested(item, renames) for item in value]
    return value
