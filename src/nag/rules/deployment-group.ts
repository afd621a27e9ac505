import { CfnResource } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import { asArray, resolved } from './rule';

/** The deployment group's alarm configuration and rollback events, resolved; undefined for any other resource. */
export function deploymentGroupOf(node: CfnResource) {
  if (!(node instanceof codedeploy.CfnDeploymentGroup)) {
    return undefined;
  }
  const alarmConfiguration = resolved<codedeploy.CfnDeploymentGroup.AlarmConfigurationProperty | undefined>(node, node.alarmConfiguration);
  const rollback = resolved<codedeploy.CfnDeploymentGroup.AutoRollbackConfigurationProperty | undefined>(node, node.autoRollbackConfiguration);
  return {
    node,
    hasAlarms: alarmConfiguration?.enabled === true && asArray(alarmConfiguration.alarms).length > 0,
    rollbackEvents: rollback?.enabled === true ? asArray<string>(rollback.events as string[]) : [],
  };
}

/** The resolved properties of an ECS deployment group; undefined for any other resource. */
export function ecsDeploymentGroupOf(node: CfnResource) {
  if (!(node instanceof codedeploy.CfnDeploymentGroup) || asArray(resolved(node, node.ecsServices)).length === 0) {
    return undefined;
  }
  return {
    loadBalancerInfo: resolved<any>(node, node.loadBalancerInfo),
    blueGreen: resolved<any>(node, node.blueGreenDeploymentConfiguration),
  };
}
