# Runs appspec.yml files through the CodeDeploy agent's own parser and install-instruction code
# (the Ruby 1.8.x agent, github.com/aws/aws-codedeploy-agent) and prints each file's verdict.
#
# Development tool, not part of the test suite (CI has neither Ruby nor the agent's source): its
# output is committed as test/server/appspec-corpus/agent-verdicts.json, which the corpus test
# compares our validator with. Regenerate with:
#
#   npx ts-node --project test/tsconfig.json scripts/agent-appspec-verdicts.ts <agent checkout>
#
# Input (stdin): JSON { "cases": [{ "name": ..., "content": ... }], "scalars": [plain scalars] }. Output (stdout): JSON with, per file and
# per YAML loader ("psych4": YAML.load on Ruby >= 3.1, which refuses aliases, dates, symbols;
# "legacy": YAML.load before Ruby 3.1, i.e. unsafe_load), one of:
#   accept       the agent parses it and generates install instructions
#   reject       parsing fails (the deployment fails before Install), with the agent's message
#   install-fail parsing passes but generating or serializing the Install instructions raises,
#                or a value would raise a TypeError in the stdlib call Install makes with it
# Scripts are not run and the revision's files are not checked here (ServerRevision checks those).
require 'json'
require 'yaml'
require 'etc'
require 'set'
require 'tmpdir'
require 'fileutils'

agent_lib = ARGV[0] or abort('usage: agent-appspec-verdicts.rb <agent checkout>/lib < cases.json')
$LOAD_PATH.unshift(agent_lib)

# The smallest stand-ins for the agent's runtime that the parser and installer call.
module InstanceAgent
  module Log
    SEVERITIES = %w[debug info warn error fatal].freeze
    def self.method_missing(*_args); end
    def self.respond_to_missing?(*_args) = true
  end

  class PlatformStub
    attr_accessor :oses
    def supported_oses = @oses
  end

  module Platform
    def self.util = (@util ||= PlatformStub.new)
  end
end

require 'instance_agent/plugins/codedeploy/application_specification/application_specification'
%w[ace_info acl_info context_info range_info].each do |f|
  require "instance_agent/plugins/codedeploy/application_specification/#{f}"
end
require 'instance_agent/plugins/codedeploy/install_instruction'
require 'instance_agent/plugins/codedeploy/installer'

Spec = InstanceAgent::Plugins::CodeDeployPlugin::ApplicationSpecification::ApplicationSpecification

def load_yaml(content, loader)
  loader == 'legacy' ? YAML.unsafe_load(content) : YAML.load(content)
end

# Install as the agent generates it: sources laid out in a scratch revision folder (a source with
# a file extension is a file, anything else a folder with one file in it), instructions generated
# by the agent's Installer and serialized as it does before running them.
def install_check(spec)
  Dir.mktmpdir do |archive|
    spec.files.each do |fi|
      next unless fi.source.is_a?(String)
      path = File.join(archive, fi.source)
      if File.extname(fi.source).empty? || fi.source.end_with?('/')
        FileUtils.mkdir_p(path)
        File.write(File.join(path, 'index.html'), 'x') if File.directory?(path)
      else
        FileUtils.mkdir_p(File.dirname(path))
        File.write(path, 'x')
      end
    end
    installer = InstanceAgent::Plugins::CodeDeployPlugin::Installer.new(
      deployment_archive_dir: archive, deployment_instructions_dir: archive, file_exists_behavior: 'OVERWRITE',
    )
    instructions = installer.send(:generate_instructions, spec)
    instructions.to_json
    # ChangeOwnerCommand#execute resolves owner and group by name; anything but a String is a
    # TypeError there (an unknown name depends on the instance and is not judged here).
    (spec.permissions || []).each do |perm|
      [perm.owner, perm.group].compact.each do |name|
        raise TypeError, "owner/group #{name.inspect} is not a name" unless name.is_a?(String)
      end
    end
  end
end

def verdict(content, loader, os)
  InstanceAgent::Platform.util.oses = [os]
  spec = Spec.new(load_yaml(content, loader))
  begin
    install_check(spec)
  rescue Exception => e # rubocop:disable Lint/RescueException
    return { 'verdict' => 'install-fail', 'message' => "#{e.class}: #{e.message}"[0, 300] }
  end
  { 'verdict' => 'accept' }
rescue Exception => e # rubocop:disable Lint/RescueException
  { 'verdict' => 'reject', 'message' => "#{e.class}: #{e.message}"[0, 300] }
end

input = JSON.parse($stdin.read)
# How Psych 4 types each plain scalar (the value of "v: <scalar>"): class and value.
scalars = input['scalars'].to_h do |text|
  value = YAML.load("v: #{text}\n")['v']
  [text, { 'class' => value.class.name, 'value' => value.is_a?(Float) && !value.finite? ? value.to_s : value }]
rescue Exception => e # rubocop:disable Lint/RescueException
  [text, { 'class' => 'refused', 'value' => e.class.name }]
end
out = input['cases'].to_h do |c|
  per_loader = %w[psych4 legacy].to_h do |loader|
    # The file is judged by the agent of the platform it declares (a Linux agent accepts only
    # os: linux, a Windows agent only os: windows); whichever accepts decides.
    runs = %w[linux windows].map { |os| verdict(c['content'], loader, os) }
    best = runs.find { |r| r['verdict'] == 'accept' } || runs.find { |r| r['verdict'] == 'install-fail' } || runs.first
    [loader, best]
  end
  [c['name'], per_loader]
end
puts JSON.pretty_generate({
  'agent' => ENV['AGENT_COMMIT'] || 'unknown',
  'ruby' => RUBY_VERSION,
  'psych' => Psych::VERSION,
  'scalars' => scalars,
  'cases' => out,
})
